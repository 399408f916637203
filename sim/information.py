"""What staff know of a person, and what knowing costs the person: pure rules (ODD 7.12, 7.4).

* A contact (a household visit that finds someone at home, or a case handled in person) tells
  staff the person's needs, with an error. What they hold then goes stale: the person's needs
  drift away from it. A tailored remedy aims at what staff hold, so it can fit worse than the
  category standard when the file is old or wrong.
* A visit too soon after the last one intrudes: the resident loses some satisfaction and trust.
"""

from __future__ import annotations

import numpy as np


def information_accuracy(age_h, decay_days: float):
    """Correlation in [0, 1] between a person's need deviation now and as it was ``age_h``
    ago (the e-folding time of their drift is ``decay_days``); 0 for no contact (inf)."""
    return np.exp(-np.maximum(age_h, 0.0) / (decay_days * 24.0))


def tailoring_error(deviation, age_h, decay_days: float, spread: float, noise_sd: float, n_then, n_noise):
    """What a tailored remedy misses the person's need by: their deviation now minus what staff
    hold of it.

    The deviation drifts as an Ornstein–Uhlenbeck process of stationary standard deviation
    ``spread`` (the need heterogeneity): given today's, the one learnt ``age_h`` ago is
    ``a·deviation + sqrt(1 − a²)·spread·n_then`` with ``a`` the accuracy above, and the contact
    learnt it with an error ``noise_sd·n_noise`` (``n_then``, ``n_noise``: standard normal draws
    of the need). Staff use their file as it stands. With no contact at all (``age_h`` inf)
    they hold nothing and give the category standard: the error is the deviation itself."""
    deviation = np.asarray(deviation, dtype=float)
    a = information_accuracy(age_h, decay_days)
    held = a * deviation + np.sqrt(1.0 - a**2) * spread * np.asarray(n_then) + noise_sd * np.asarray(n_noise)
    return np.where(np.isfinite(age_h), deviation - held, deviation)


def intrusive(previous_visit_h, visit_h, fatigue_days: float):
    """Whether a visit comes within ``fatigue_days`` of the last one that found the resident in."""
    return np.asarray(visit_h) - np.asarray(previous_visit_h) < fatigue_days * 24.0


def tire(value, cost: float):
    """Satisfaction or trust after an intrusive visit: a share ``cost`` of it is lost."""
    return np.asarray(value) * (1.0 - cost)
