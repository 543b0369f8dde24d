"""The calendar assigning, upgrading and the upgrade's preview decide with: whose training days
count, in week order, and every session of the version's weeks."""

from datetime import date

from peakhealth.assignments.schedule import plan_calendar

WEDNESDAY = date(2026, 11, 25)
VERSION = {"duration": 2, "workouts": [{}, {}], "schedule": {"trainingDays": ["fri", "mon"]}}


def test_given_days_win_and_come_in_week_order() -> None:
    calendar = plan_calendar(VERSION, WEDNESDAY, ["thu", "tue", "thu"])
    assert (calendar.trainingDays, calendar.weeks) == (["tue", "thu"], 2)
    assert [day.scheduledDate.isoformat() for day in calendar.sessions] == [
        "2026-11-26",
        "2026-12-01",
        "2026-12-03",
        "2026-12-08",  # two weeks from a Wednesday end on a Tuesday
    ]


def test_else_the_routines_days_else_its_default_spread() -> None:
    assert plan_calendar(VERSION, WEDNESDAY, None).trainingDays == ["mon", "fri"]
    unscheduled = {"duration": 1, "workouts": [{}, {}, {}]}
    calendar = plan_calendar(unscheduled, WEDNESDAY, [])
    assert calendar.trainingDays == ["mon", "wed", "fri"]
    assert [day.workoutIndex for day in calendar.sessions] == [0, 1, 2]  # wed, fri, mon
