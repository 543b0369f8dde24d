import pytest

# The shared helpers assert too: show their failing values as pytest does in test modules.
pytest.register_assert_rewrite("tests.support")
