"""Remedy fit and what staff know of a person (ODD 7.12), felt in process 8.

* A contact (a household visit that finds someone at home, or a case handled in person) tells
  staff the person's needs, with an error. What they hold then goes stale: the person's needs
  drift away from it. A tailored remedy aims at what staff hold, so it can fit worse than the
  category standard when the file is old or wrong.
* A remedy's fit is the chance that it actually solves the need.
"""

from __future__ import annotations

import numpy as np

from sim.model.issues import DEPARTMENT
from sim.model.params import SERVICE_TYPES

FACILITY = SERVICE_TYPES.index("facility")


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


def remedy_fit(error, tolerance: float):
    """Fit in [0, 1] of a remedy that misses a person's need by ``error`` (in units of the
    spread between categories). A category-standard remedy aims at the category profile, so
    its error is the person's deviation from it; a tailored one aims at what staff hold of the
    person (:func:`tailoring_error`)."""
    return np.exp(-(np.asarray(error, dtype=float) ** 2) / (2.0 * tolerance**2))


def fit(model, ids: np.ndarray) -> None:
    """The fit of the remedy each resolved case got, and whether it solved the need; handling
    a case in person is contact: the front line learns about the person."""
    iss, sc, po, pop = model.issues, model.scenario, model.policy, model.population
    kind = iss["service_type"][ids]
    res = np.maximum(iss["resident_id"][ids], 0)
    person = (iss["resident_id"][ids] >= 0) & (kind != FACILITY)
    dev = sc.need_heterogeneity * pop.z[res, np.minimum(kind, pop.z.shape[1] - 1)]
    local = iss["handler"][ids] != DEPARTMENT
    error = dev
    if po.remedy == "tailored":  # aimed at what the front line holds of the person
        age = iss["started_h"][ids] - pop.contact_before(res, iss["started_h"][ids])
        age = np.where(local, age, np.inf)  # a department holds no file: the standard
        if po.fallback_after_days is not None:  # a file too old is set aside: the standard
            age = np.where(age > po.fallback_after_days * 24.0, np.inf, age)
        held = tailoring_error(
            dev,
            age,
            sc.info_decay_days,
            sc.need_heterogeneity,
            sc.info_noise,
            iss["n_then"][ids],
            iss["n_noise"][ids],
        )
        error = np.where(local, held, dev)
    fitted = np.where(person, remedy_fit(error, sc.fit_tolerance), 1.0)
    iss["fit"][ids] = fitted
    iss["solved"][ids] = (iss["u_solved"][ids] < fitted).astype(np.int8)
    seen = person & local
    pop.record_contact(res[seen], iss["resolved_h"][ids][seen])
