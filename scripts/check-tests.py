#!/usr/bin/env python3
"""Fails meson configuration when a test file exists but is not registered.

usage: check-tests.py DIR SUFFIX NAME...
"""
import os
import sys

folder, suffix, names = sys.argv[1], sys.argv[2], set(sys.argv[3:])
found = set()
for root, _, files in os.walk(folder):
    for f in files:
        if f.endswith(suffix):
            rel = os.path.relpath(os.path.join(root, f), folder)
            found.add(rel[: -len(suffix)])
missing = sorted(found - names)
absent = sorted(names - found)
if missing:
    sys.exit(f"{folder}: test files not registered in meson.build: {', '.join(missing)}")
if absent:
    sys.exit(f"{folder}: registered tests without a file: {', '.join(absent)}")
