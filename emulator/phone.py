"""The phone page: call the hotline from a browser and follow what the caller hears."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from werkzeug.wrappers import Response

bp = Blueprint(
    "phone",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/phone-static",
)


@bp.get("/")
def home() -> Response:
    """Send a trainee who opens the emulator's address to the phone."""
    return redirect(url_for("phone.phone_page"))


@bp.get("/phone")
def phone_page() -> str:
    """Show a keypad phone that calls the hotline through the control API."""
    config = current_app.config["EMULATOR"]
    return render_template(
        "phone.html", hotline_number=config.hotline_number, control_token=config.control_token
    )
