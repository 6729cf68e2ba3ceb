"""Packaging: the portal package plus the top-level templates/, static/ and migrations/ as package data.

The folders stay where they are in the checkout; in a wheel they become portal/templates,
portal/static and portal/migrations, which create_app() finds (portal/paths.py). `wsgi` is shipped
as a module so `flask --app wsgi` and `gunicorn wsgi:app` work from any directory.
"""
import os

from setuptools import find_namespace_packages, setup

DATA = {"portal.templates": "templates", "portal.static": "static", "portal.migrations": "migrations"}


def data_packages() -> dict[str, str]:
    """Each data folder whose name can be a package name, as one (setuptools wants every such folder
    listed); folders like vendor/htmx-2.0.11 travel inside their parent's recursive glob."""
    found = {}
    for package, top in DATA.items():
        for folder, dirs, _files in os.walk(top):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            parts = folder.split(os.sep)[1:]
            if all(p.isidentifier() for p in parts):
                found[".".join([package, *parts])] = folder
    return found


PACKAGES = data_packages()

setup(
    packages=find_namespace_packages(include=["portal", "portal.*"], exclude=["*.__pycache__"]) + list(PACKAGES),
    package_dir=PACKAGES,
    package_data={name: ["**/*"] for name in PACKAGES},
    exclude_package_data={name: ["**/__pycache__/*", "**/*.pyc", "__pycache__/*", "*.pyc"] for name in PACKAGES},
    py_modules=["wsgi"],
)
