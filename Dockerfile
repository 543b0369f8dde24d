FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app
WORKDIR /app
# The locked versions, each checked against its hash (scripts/lock writes requirements.lock).
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
# The package runs from source (PYTHONPATH): building it would fetch an unpinned setuptools.
COPY peakhealth ./peakhealth
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin peakhealth
USER peakhealth
EXPOSE 8000
# Healthy while the database answers (/ready is 503 when it does not).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/ready', timeout=4)"]
CMD ["python", "-m", "peakhealth", "serve", "--host", "0.0.0.0", "--port", "8000"]
