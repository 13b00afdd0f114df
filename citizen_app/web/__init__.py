"""The user-facing areas, one blueprint each. Views are thin: parse, call a service, render or redirect."""

from flask import Flask

from citizen_app.services.submissions import new_token


def register_blueprints(app: Flask) -> None:
    # Imported when the app is built (create_app), not with the package: assets.py needs web.guards only.
    from citizen_app.web import (
        access_log,
        admin,
        admin_import,
        auth,
        cases,
        child,
        consent,
        declining,
        feedback,
        health,
        invitations,
        mature_minor,
        meeting,
        messages,
        my_data,
        notification_settings,
        pages,
        plan,
        preparation,
        problems,
        pwa,
        requests,
        sharing,
        staff,
        staff_actions,
        staff_coordination,
        staff_decisions,
        staff_feedback,
        staff_mature_minor,
        staff_meetings,
        staff_plans,
        staff_representation,
        start,
    )

    for module in (
        health,
        start,
        auth,
        pages,
        cases,
        access_log,
        child,
        consent,
        declining,
        feedback,
        invitations,
        mature_minor,
        meeting,
        messages,
        my_data,
        notification_settings,
        plan,
        preparation,
        problems,
        pwa,
        requests,
        sharing,
        staff,
        staff_feedback,
        staff_meetings,
        staff_coordination,
        staff_plans,
        staff_decisions,
        staff_representation,
        staff_mature_minor,
        staff_actions,
        admin_import,
        admin,
    ):
        app.register_blueprint(module.bp)

    # A global, not a context processor: the form macros are imported without the page's context.
    app.jinja_env.globals["new_submission_id"] = new_token
