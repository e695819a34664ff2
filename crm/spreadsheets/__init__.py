"""Spreadsheets in and out of the CRM, safely.

``export`` writes cells that never run as formulas in Excel or LibreOffice; ``reading`` reads an
uploaded CSV or Excel file within caps (size, unpacked size, rows) before anything parses it
whole; ``formats`` gives django-import-export both, for its resources in the pages and the admin.
"""
