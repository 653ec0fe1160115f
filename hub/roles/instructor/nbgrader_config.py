"""An instructor's Formgrader manages the course pulled by the README's nbgitpuller link.

nbgrader's server extensions read config from the Jupyter config path and the server's root folder,
not from ``lbp-course/assessments/``, so without this the Formgrader would find no course.
"""

import os

c = get_config()  # noqa: F821

COURSE_CONFIG = os.path.expanduser(os.path.join("~", "lbp-course", "assessments", "nbgrader_config.py"))
if os.path.exists(COURSE_CONFIG):
    load_subconfig(COURSE_CONFIG)  # noqa: F821
