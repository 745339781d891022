"""JSON Schemas of the input files, for editors (yaml-language-server) and reviewers."""

from __future__ import annotations

import json
from pathlib import Path

from .models import DATA_FILES, Partner, SourceRegistry
from .output import write_atomic

SCHEMA_DIR = "schemas"
"""Folder of the input folder where `build.py schema` writes by default; the YAML
modelines (`# yaml-language-server: $schema=../schemas/<name>.schema.json`) point there."""


def json_schemas() -> dict[str, dict]:
    """Every input file's JSON Schema, by file name (`partner.schema.json`, ...)."""
    models = {"partner": Partner, **DATA_FILES, "sources": SourceRegistry}
    schemas = {}
    for name, model in models.items():
        schema = model.model_json_schema()
        if model is Partner:  # the id is the file name, never a key of the file
            del schema["properties"]["id"]
            schema["required"].remove("id")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"{name}.schema.json"
        schemas[f"{name}.schema.json"] = schema
    return schemas


def write_schemas(out_dir: Path) -> list[Path]:
    """Write every schema into `out_dir`; return the paths written."""
    return [
        write_atomic(out_dir / name, json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
        for name, schema in json_schemas().items()
    ]


def modeline(schema_name: str) -> str:
    """The first line that points an editor at a schema, from a file one folder deep."""
    return f"# yaml-language-server: $schema=../{SCHEMA_DIR}/{schema_name}.schema.json"
