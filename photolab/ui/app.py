"""Where the server finds the review desk (it lives in ``photolab.ui.desk``)."""

from photolab.ui.desk import build_desk as build_app

__all__ = ["build_app"]
