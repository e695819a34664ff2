from __future__ import annotations

from crm.pagination import PAGE_SIZES, paginate
from crm.roles import CLIENT_ROLES

__all__ = ["CLIENT_ROLES", "PAGE_SIZES", "paginate"]
