"""The benchmark (`python -m build.bench`): the built page measured in Chromium against the issues' targets."""
