"""Packaging: the portal package plus the top-level templates/, static/ and migrations/ as package data.

The folders stay where they are in the checkout; in a wheel they become portal/templates,
portal/static and portal/migrations, which create_app() finds (portal/paths.py). `wsgi` is shipped
as a module so `flask --app wsgi` and `gunicorn wsgi:app` work from any directory.
"""
from setuptools import find_namespace_packages, setup

DATA = {"portal.templates": "templates", "portal.static": "static", "portal.migrations": "migrations"}
# A data folder holding .py files is a package of its own for setuptools.
DATA_CODE = {"portal.migrations.versions": "migrations/versions"}

setup(
    packages=find_namespace_packages(include=["portal", "portal.*"], exclude=["*.__pycache__"])
    + list(DATA) + list(DATA_CODE),
    package_dir={**DATA, **DATA_CODE},
    package_data={**{name: ["**/*"] for name in DATA}, **{name: ["*.py"] for name in DATA_CODE}},
    exclude_package_data={name: ["**/__pycache__/*", "**/*.pyc", "__pycache__/*"] for name in [*DATA, *DATA_CODE]},
    py_modules=["wsgi"],
)
