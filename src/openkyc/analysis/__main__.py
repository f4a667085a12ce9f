"""``python -m openkyc.analysis FILE…``: the ``analyze`` command."""

from openkyc.analysis.cli import analyze

if __name__ == "__main__":
    analyze()
