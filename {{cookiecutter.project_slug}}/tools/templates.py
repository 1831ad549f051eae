"""The templates `make feature` fills in: `tools/feature_templates/<name>.tmpl`."""

from pathlib import Path
from string import Template

TEMPLATES = Path(__file__).resolve().parent / "feature_templates"


def render(template: str, values: dict[str, str]) -> str:
    """The template file `template` with its `${placeholders}` filled in."""
    return Template((TEMPLATES / f"{template}.tmpl").read_text(encoding="utf-8")).substitute(values)
