"""A community's data, portable: the full export (every app's rows as JSON Lines in a zip,
plus its stored files) and the import of one into an empty install, so that a community
owns its data and can move. `manage.py export_community` / `import_community`, the admins'
download on the members page and `GET /api/v1/export/` all use these."""

from .contents import FORMAT, FORMAT_VERSION, exported_models
from .exporting import write_export
from .importing import ImportRefused, import_export

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ImportRefused",
    "exported_models",
    "import_export",
    "write_export",
]
