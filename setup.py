"""Packages for setuptools; everything else is in pyproject.toml.

The data package ``kiosk_resources`` lives in ``resources/`` (see ``package-dir``), which
pyproject's ``packages.find`` cannot name, so the list is built here.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages(include=["kiosk*", "games*", "scoring*", "reports*", "server*"]),
        "kiosk_resources",
    ]
)
