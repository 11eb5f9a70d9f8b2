"""The course's own example (EXERCISE.md), for the tests: its given data, its answers at full
precision and as a student writes them to 4 places."""

import numpy as np

from generator.exercise.description import COURSE
from generator.exercise.solver import Givens

# The course's example (EXERCISE.md); rows are the first index.
COURSE_GIVEN = {"x": [1, 2], "y": 5, "W": [[-1, 1], [1, 1]], "U": [[2, -4], [-0.5, 1]], "V": [[1], [-1]], "lr": 0.1}

# EXERCISE.md's full reference table (float64 values).
COURSE_ANSWERS = {
    "z_1": 0.7615941559557649, "z_2": 0.9950547536867305, "q_1": 0.772162236429698,
    "q_2": -0.9674796868011187, "y_pred": 1.7396419232308167, "L": 10.629934788754046,
    "L_partial_y_pred": -6.520716153538366, "L_partial_V_11": -5.035050768239443,
    "L_partial_V_21": 6.308660421944294, "L_partial_q_1": -6.520716153538366,
    "L_partial_q_2": 6.520716153538366, "V_11_updated": 1.5035050768239442,
    "V_21_updated": -1.6308660421944294, "L_partial_U_11": -2.005155627479038,
    "L_partial_U_12": 0.31774876805570756, "L_partial_U_21": -2.6198200490401393,
    "L_partial_U_22": 0.41515211173744676, "L_partial_z_1": -6.934541561119406,
    "L_partial_z_2": 1.7336353902798516, "U_11_updated": 2.2005155627479036,
    "U_12_updated": -4.031774876805571, "U_21_updated": -0.23801799509598603,
    "U_22_updated": 0.9584847888262553, "L_partial_W_11": -2.9123295265262237,
    "L_partial_W_12": 0.01710411119182346, "L_partial_W_21": -5.824659053052447,
    "L_partial_W_22": 0.03420822238364692, "W_11_updated": -0.7087670473473776,
    "W_12_updated": 0.9982895888808176, "W_21_updated": 1.5824659053052448,
    "W_22_updated": 0.9965791777616353, "L_after_update": 3.745175093598896,
}

# EXERCISE.md's 4-decimal column, as a student writes it.
COURSE_ROUNDED = {
    "z_1": "0.7616", "z_2": "0.9951", "q_1": "0.7722", "q_2": "-0.9675", "y_pred": "1.7396",
    "L": "10.6299", "L_partial_y_pred": "-6.5207", "L_partial_V_11": "-5.0351",
    "L_partial_V_21": "6.3087", "L_partial_q_1": "-6.5207", "L_partial_q_2": "6.5207",
    "V_11_updated": "1.5035", "V_21_updated": "-1.6309", "L_partial_U_11": "-2.0052",
    "L_partial_U_12": "0.3177", "L_partial_U_21": "-2.6198", "L_partial_U_22": "0.4152",
    "L_partial_z_1": "-6.9345", "L_partial_z_2": "1.7336", "U_11_updated": "2.2005",
    "U_12_updated": "-4.0318", "U_21_updated": "-0.2380", "U_22_updated": "0.9585",
    "L_partial_W_11": "-2.9123", "L_partial_W_12": "0.0171", "L_partial_W_21": "-5.8247",
    "L_partial_W_22": "0.0342", "W_11_updated": "-0.7088", "W_12_updated": "0.9983",
    "W_21_updated": "1.5825", "W_22_updated": "0.9966", "L_after_update": "3.7452",
}


def course_givens(n: int = 1) -> Givens:
    g = COURSE_GIVEN
    return Givens(
        COURSE,
        np.tile(np.array(g["x"], float), (n, 1)),
        np.full(n, float(g["y"])),
        tuple(np.tile(np.array(g[k], float), (n, 1, 1)) for k in "WUV"),
        np.full(n, g["lr"]),
    )
