"""Who administers the county's organisation in Min SIP (principals, units, staff and their roles) [issue 18].

An administrator is a staff member marked as one by another administrator (``StaffUser.is_admin``), or named
in the configuration (``MINSIP_ADMIN_HSA_IDS``, comma-separated HSA-ids): that is how the first administrator
of a new installation gets in. A deactivated account is never an administrator.
"""

from __future__ import annotations

from flask import current_app

from citizen_app.models import StaffUser


def configured_hsa_ids() -> frozenset[str]:
    raw = current_app.config.get("ADMIN_HSA_IDS") or ""
    return frozenset(part.strip().upper() for part in raw.split(",") if part.strip())


def is_admin(staff: StaffUser) -> bool:
    if staff.deactivated_at is not None:
        return False
    return staff.is_admin or (staff.hsa_id is not None and staff.hsa_id.upper() in configured_hsa_ids())
