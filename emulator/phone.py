"""The phone page: call the hotline from a browser and follow what the caller hears."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint(
    "phone",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/phone-static",
)


@bp.get("/phone")
def phone_page() -> str:
    """Show a keypad phone that calls the hotline through the control API."""
    config = current_app.config["EMULATOR"]
    return render_template("phone.html", hotline_number=config.hotline_number)
