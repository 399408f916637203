import numpy as np
import pytest

from sim.model.calendar import Calendar, parse_spec

OFFICE = Calendar.from_specs(["Mon-Fri 09-17"])


def test_spec_parses_to_the_right_hours():
    mask = parse_spec("Mon-Fri 09-17")
    assert mask.sum() == 40, "five days of eight hours"
    assert mask[9] and not mask[8] and not mask[17], "Monday 09:00 open, 08:00 and 17:00 closed"
    assert not mask[5 * 24 + 10], "Saturday closed"


@pytest.mark.parametrize("bad", ["Mon-Fri 9", "Mon-Fry 09-17", "Mon 17-09", "Mon 00-25"])
def test_bad_specs_are_rejected(bad):
    with pytest.raises(ValueError):
        parse_spec(bad)


def test_next_open_moves_to_the_next_opening():
    assert OFFICE.next_open(np.array([3.0]))[0] == 9.0, "Monday night waits until 09:00"
    assert OFFICE.next_open(np.array([10.5]))[0] == 10.5, "open now: no wait"
    assert OFFICE.next_open(np.array([4 * 24 + 18.0]))[0] == 7 * 24 + 9.0, "Friday evening waits until Monday"


def test_working_clock_and_inverses_agree():
    t = np.array([9.0, 12.5, 16.99, 33.25, 100.0, 500.3])
    w = OFFICE.clock_array(t)
    for ti, wi in zip(t, w):
        if OFFICE.is_open(ti):
            assert OFFICE.time_at(wi) == pytest.approx(ti), "inverse of the clock while open"
    assert OFFICE.clock(24 * 7) == 40, "one week has 40 working hours"
    assert OFFICE.end_at(8.0) == pytest.approx(17.0), "work ending at shift end ends at 17:00"
    assert OFFICE.time_at(8.0) == pytest.approx(33.0), "work starting at shift end starts next morning"
    np.testing.assert_allclose(OFFICE.time_at_array(w[:3]), t[:3])
