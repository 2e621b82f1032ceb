"""Demo accounts: one per role, in communes around Cao Lãnh. Idempotent."""

from __future__ import annotations

from backend.accounts.services import create_user
from backend.accounts.tables import StaffUser
from backend.catalog.tables import AdminUnit

DEMO_PASSWORD = "gandan-demo-2026"

# (username, full name, role, commune names)
DEMO_USERS = [
    ("canbo", "Nguyễn Văn An", "officer", ["Phường Cao Lãnh", "Phường Mỹ Trà"]),
    ("canbo2", "Lê Thị Bích", "officer", ["Phường Cao Lãnh"]),
    ("dieuphoi", "Trần Thị Hoa", "dispatcher", ["Phường Cao Lãnh", "Phường Mỹ Trà"]),
    ("giamsat", "Phạm Minh Đức", "supervisor", ["Phường Cao Lãnh", "Phường Mỹ Trà", "Phường Sa Đéc"]),
    ("quantri", "Võ Thanh Hải", "admin", []),
]


async def seed_demo_users() -> list[str]:
    """Create the demo users that do not exist yet; return the usernames created."""
    codes = {r["name"]: r["code"] for r in await AdminUnit.select(AdminUnit.name, AdminUnit.code)}
    existing = {r["username"] for r in await StaffUser.select(StaffUser.username)}
    created = []
    for username, full_name, role, commune_names in DEMO_USERS:
        if username in existing:
            continue
        communes = [codes[name] for name in commune_names if name in codes]
        if role == "admin":
            communes = sorted(code for code in codes.values() if len(code) == 5)
        await create_user(username, full_name, role, communes, DEMO_PASSWORD)
        created.append(username)
    return created
