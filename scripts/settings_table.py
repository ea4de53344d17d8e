"""Print the README's configuration table from the Settings class (one row per setting)."""

from __future__ import annotations

import sys
from pathlib import Path

from ingest.settings import PROJECT_ROOT, Settings


def settings_table() -> str:
    rows = ["| setting | environment variable | default | meaning |", "|---|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.default
        if hasattr(default, "get_secret_value"):
            default = ""
        text = str(default).replace(str(PROJECT_ROOT) + "/", "") if default not in (None, "") else "—"
        rows.append(f"| `{name}` | `ENGAGEMENT_{name.upper()}` | `{text}` | {field.description or ''} |")
    return "\n".join(rows)


def write_readme(readme: Path = PROJECT_ROOT / "README.md") -> None:
    """Replace the table between the README's ``settings-table`` markers."""
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- settings-table -->", "<!-- /settings-table -->"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{start}\n{settings_table()}\n{end}{tail}", encoding="utf-8")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write_readme()
    else:
        print(settings_table())
