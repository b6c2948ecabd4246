"""The review desk (Gradio): see ``app.build_desk``."""

from photolab.ui.desk.app import build_desk

__all__ = ["build_desk"]
