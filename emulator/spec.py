"""Twilio's published OpenAPI description, used as the contract for every REST request.

The full description lives in ../shared/twilio/ beside the checkout; a trimmed copy with
only the paths the emulator serves is vendored next to this module so the emulator also
runs without it. Regenerate the copy with `python -m emulator.spec --write-subset`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from emulator.exceptions import ApiError

PACKAGE_DIR = Path(__file__).resolve().parent
SUBSET_PATH = PACKAGE_DIR / "twilio_api_v2010.subset.json"
FULL_SPEC_PATH = PACKAGE_DIR.parent.parent / "shared" / "twilio" / "twilio_api_v2010.json"
API_PREFIX = "/2010-04-01/Accounts/{AccountSid}/"

SERVED_PATHS = tuple(
    API_PREFIX + suffix
    for suffix in (
        "Calls.json",
        "Calls/{Sid}.json",
        "Calls/{CallSid}/Recordings.json",
        "Calls/{CallSid}/Recordings/{Sid}.json",
        "Queues.json",
        "Queues/{Sid}.json",
        "Queues/{QueueSid}/Members.json",
        "Queues/{QueueSid}/Members/{CallSid}.json",
        "Conferences.json",
        "Conferences/{Sid}.json",
        "Conferences/{ConferenceSid}/Participants.json",
        "Conferences/{ConferenceSid}/Participants/{CallSid}.json",
        "Conferences/{ConferenceSid}/Recordings.json",
        "Conferences/{ConferenceSid}/Recordings/{Sid}.json",
        "Messages.json",
        "Messages/{Sid}.json",
        "Recordings.json",
        "Recordings/{Sid}.json",
    )
)
SUBSET_NOTE = (
    "A trimmed copy of twilio_api_v2010.json from Twilio's twilio-oai repository "
    "(https://github.com/twilio/twilio-oai, spec/json/twilio_api_v2010.json), "
    "Copyright (C) 2023 Twilio, Inc., used under the MIT licence in TWILIO_API_LICENSE. "
    "It keeps only the paths the hotline phone emulator serves and the component schemas "
    "they reference. Regenerate it with `python -m emulator.spec --write-subset`."
)
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")

MISSING_PARAMETER_CODES = {
    ("CreateCall", "To"): 21201,
    ("CreateCall", "From"): 21213,
    ("CreateMessage", "To"): 21604,
    ("UpdateMember", "Url"): 21205,
}
UNKNOWN_PARAMETER_CODE = 20001
BAD_REQUEST_CODE = 400
NOT_FOUND_CODE = 20404
METHOD_NOT_ALLOWED_CODE = 20004
INVALID_URL_CODE = 21205


def locate_spec(configured: str | None = None) -> Path:
    """Pick the description to validate against: configured, then full, then vendored."""
    chosen = configured or os.environ.get("TWILIO_SPEC_PATH")
    if chosen:
        return Path(chosen)
    if FULL_SPEC_PATH.is_file():
        return FULL_SPEC_PATH
    return SUBSET_PATH


def not_found(path: str) -> ApiError:
    """Return Twilio's answer for a resource that does not exist."""
    return ApiError(404, NOT_FOUND_CODE, f"The requested resource {path} was not found")


@dataclass(frozen=True)
class Operation:
    """One method on one path of the description, ready to check requests against."""

    method: str
    template: str
    pattern: re.Pattern[str]
    operation_id: str
    parameters: dict[str, dict[str, Any]]
    form_properties: dict[str, Any]
    form_required: frozenset[str]
    success_status: int
    response_schema: dict[str, Any] | None


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = ""
    for index, part in enumerate(parts):
        regex += f"(?P<{part}>[^/]+)" if index % 2 else re.escape(part)
    return re.compile(f"^{regex}$")


class ApiSpec:
    """Checks requests against Twilio's description and shapes responses by it."""

    def __init__(self, document: dict[str, Any], source: Path | None = None) -> None:
        self.document = document
        self.source = source
        self.operations: dict[str, dict[str, Operation]] = {}
        for template, item in document.get("paths", {}).items():
            by_method = {}
            for method in HTTP_METHODS:
                if method in item:
                    by_method[method.upper()] = self._operation(method.upper(), template, item)
            self.operations[template] = by_method
        self.patterns = [(_template_pattern(template), template) for template in self.operations]

    def _operation(self, method: str, template: str, item: dict[str, Any]) -> Operation:
        spec = item[method.lower()]
        parameters = {param["name"]: param for param in spec.get("parameters", [])}
        body = spec.get("requestBody", {}).get("content", {}).get(FORM_CONTENT_TYPE, {})
        form_schema = self.resolve(body.get("schema", {}))
        success = sorted(code for code in spec.get("responses", {}) if code.startswith("2"))
        status = int(success[0]) if success else 200
        content = spec["responses"].get(str(status), {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        return Operation(
            method=method,
            template=template,
            pattern=_template_pattern(template),
            operation_id=spec.get("operationId", f"{method} {template}"),
            parameters=parameters,
            form_properties=form_schema.get("properties", {}),
            form_required=frozenset(form_schema.get("required", [])),
            success_status=status,
            response_schema=self.resolve(schema) if schema else None,
        )

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Follow a local $ref to the schema it names."""
        while "$ref" in schema:
            node: Any = self.document
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        """Find the operation for a request path, or raise Twilio's 404/405 error."""
        for pattern, template in self.patterns:
            found = pattern.match(path)
            if found is None:
                continue
            by_method = self.operations[template]
            operation = by_method.get(method)
            if operation is None:
                allowed = ", ".join(sorted(by_method))
                raise ApiError(
                    405,
                    METHOD_NOT_ALLOWED_CODE,
                    f"Method {method} is not allowed on {path}; Twilio allows {allowed}",
                )
            values = found.groupdict()
            for name, value in values.items():
                schema = self.resolve(operation.parameters.get(name, {}).get("schema", {}))
                if self._string_problem(schema, value) is not None:
                    raise not_found(path)
            return operation, values
        raise not_found(path)

    def _string_problem(
        self, schema: dict[str, Any], value: str, absolute_uri: bool = True
    ) -> str | None:
        if "minLength" in schema and len(value) < schema["minLength"]:
            return f"is shorter than {schema['minLength']} characters"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return f"is longer than {schema['maxLength']} characters"
        if "pattern" in schema and not re.search(schema["pattern"], value):
            return f"does not match {schema['pattern']}"
        if "enum" in schema and value not in schema["enum"]:
            return f"is not one of {', '.join(schema['enum'])}"
        is_uri = absolute_uri and schema.get("format") == "uri"
        if is_uri and not schema.get("x-twilio", {}).get("ignoreFormat"):
            parsed = urlparse(value)
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                return "is not an absolute http(s) URL"
        return None

    def _convert(self, name: str, schema: dict[str, Any], raw: str) -> Any:
        schema = self.resolve(schema)
        kind = schema.get("type", "string")
        if kind == "integer":
            if not re.fullmatch(r"-?\d+", raw.strip()):
                raise ApiError(400, BAD_REQUEST_CODE, f"{name} must be an integer, got {raw!r}")
            number = int(raw)
            if "minimum" in schema and number < schema["minimum"]:
                raise ApiError(400, BAD_REQUEST_CODE, f"{name} must be >= {schema['minimum']}")
            if "maximum" in schema and number > schema["maximum"]:
                raise ApiError(400, BAD_REQUEST_CODE, f"{name} must be <= {schema['maximum']}")
            return number
        if kind == "number":
            try:
                return float(raw)
            except ValueError:
                raise ApiError(400, BAD_REQUEST_CODE, f"{name} must be a number") from None
        if kind == "boolean":
            if raw.lower() not in ("true", "false"):
                raise ApiError(400, BAD_REQUEST_CODE, f"{name} must be true or false, got {raw!r}")
            return raw.lower() == "true"
        problem = self._string_problem(schema, raw)
        if problem is not None:
            code = INVALID_URL_CODE if "URL" in problem else BAD_REQUEST_CODE
            raise ApiError(400, code, f"{name} {problem}: {raw!r}")
        return raw

    def _values(self, name: str, schema: dict[str, Any], values: list[str]) -> Any:
        schema = self.resolve(schema)
        if schema.get("type") == "array":
            return [self._convert(name, schema.get("items", {}), value) for value in values]
        if len(values) > 1:
            raise ApiError(400, BAD_REQUEST_CODE, f"{name} was given {len(values)} times")
        return self._convert(name, schema, values[0])

    def validate_query(
        self, operation: Operation, query: Iterable[tuple[str, list[str]]]
    ) -> dict[str, Any]:
        """Check query-string parameters against the operation; return them converted."""
        checked: dict[str, Any] = {}
        for name, values in query:
            param = operation.parameters.get(name)
            if param is None or param.get("in") != "query":
                raise ApiError(
                    400,
                    UNKNOWN_PARAMETER_CODE,
                    f"Unknown query parameter {name} for {operation.operation_id}",
                )
            checked[name] = self._values(name, param.get("schema", {}), values)
        return checked

    def validate_form(
        self,
        operation: Operation,
        form: Iterable[tuple[str, list[str]]],
        content_type: str,
    ) -> dict[str, Any]:
        """Check form parameters against the operation's form schema; return them converted."""
        fields = list(form)
        if fields and not operation.form_properties:
            raise ApiError(
                400, UNKNOWN_PARAMETER_CODE, f"{operation.operation_id} takes no parameters"
            )
        if operation.form_properties and fields:
            media_type = content_type.split(";", 1)[0].strip().lower()
            if media_type != FORM_CONTENT_TYPE:
                raise ApiError(
                    400,
                    BAD_REQUEST_CODE,
                    f"send parameters as {FORM_CONTENT_TYPE}, not {media_type}",
                )
        checked: dict[str, Any] = {}
        for name, values in fields:
            schema = operation.form_properties.get(name)
            if schema is None:
                raise ApiError(
                    400,
                    UNKNOWN_PARAMETER_CODE,
                    f"Unknown parameter {name} for {operation.operation_id}",
                )
            checked[name] = self._values(name, schema, values)
        for name in sorted(operation.form_required):
            if name not in checked or checked[name] in ("", []):
                code = MISSING_PARAMETER_CODES.get((operation.operation_id, name), BAD_REQUEST_CODE)
                raise ApiError(400, code, f"Required parameter {name} is missing")
        return checked

    def shape(self, schema: dict[str, Any] | None, value: Any) -> Any:
        """Return value with exactly the properties the schema names, null where unknown."""
        if schema is None:
            return value
        schema = self.resolve(schema)
        if "properties" in schema:
            source = value if isinstance(value, Mapping) else {}
            return {
                name: self.shape(child, source.get(name))
                for name, child in schema["properties"].items()
            }
        if schema.get("type") == "array" and isinstance(value, list):
            return [self.shape(schema.get("items"), item) for item in value]
        if value is None and "default" in self.resolve(schema):
            return schema["default"]
        return value

    def conformance_problems(
        self, schema: dict[str, Any], value: Any, where: str = ""
    ) -> list[str]:
        """List how a response value departs from its schema (types, nulls, enums, keys).

        URIs may be relative here: Twilio's own responses carry "/2010-04-01/..." paths in
        properties the description marks as format "uri". A property that refers to an enum
        ($ref) may be null: OpenAPI 3.0 cannot mark such a reference nullable, and Twilio
        documents null for some (a conference's reason_conference_ended while it runs).
        """
        if value is None and "$ref" in schema:
            return []
        schema = self.resolve(schema)
        problems: list[str] = []
        if value is None:
            if not schema.get("nullable") and schema:
                problems.append(f"{where or 'value'} is null but not nullable")
            return problems
        if "properties" in schema:
            if not isinstance(value, dict):
                return [f"{where} is not an object"]
            expected, actual = set(schema["properties"]), set(value)
            if expected != actual:
                problems.append(f"{where} keys differ: {sorted(expected ^ actual)}")
            for name, child in schema["properties"].items():
                if name in value:
                    problems += self.conformance_problems(child, value[name], f"{where}.{name}")
            return problems
        kind = schema.get("type")
        checks = {
            "string": lambda v: isinstance(v, str),
            "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
            "boolean": lambda v: isinstance(v, bool),
            "object": lambda v: isinstance(v, dict),
            "array": lambda v: isinstance(v, list),
        }
        if kind in checks and not checks[kind](value):
            problems.append(f"{where} should be {kind}, got {value!r}")
        elif kind == "string" and (problem := self._string_problem(schema, value, False)):
            problems.append(f"{where} {problem}")
        elif kind == "array":
            for index, item in enumerate(value):
                problems += self.conformance_problems(
                    schema.get("items", {}), item, f"{where}[{index}]"
                )
        return problems


@lru_cache(maxsize=4)
def _load(path: str) -> ApiSpec:
    with open(path, encoding="utf-8") as handle:
        return ApiSpec(json.load(handle), Path(path))


def load_spec(configured: str | None = None) -> ApiSpec:
    """Load (once per file) the description the emulator validates against."""
    return _load(str(locate_spec(configured).resolve()))


def _references(node: Any) -> Iterable[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


def extract_subset(full: dict[str, Any]) -> dict[str, Any]:
    """Cut the full description down to the served paths and the schemas they use."""
    paths = {template: full["paths"][template] for template in SERVED_PATHS}
    schemas = full["components"]["schemas"]
    wanted: set[str] = set()
    pending = list(_references(paths))
    while pending:
        reference = pending.pop()
        name = reference.rsplit("/", 1)[-1]
        if reference.startswith("#/components/schemas/") and name not in wanted:
            wanted.add(name)
            pending.extend(_references(schemas[name]))
    tags_used = {tag for item in paths.values() for op in item.values() for tag in _tags(op)}
    return {
        "x-emulator-note": SUBSET_NOTE,
        "openapi": full["openapi"],
        "info": full["info"],
        "servers": full["servers"],
        "security": full["security"],
        "tags": [tag for tag in full.get("tags", []) if tag.get("name") in tags_used],
        "paths": paths,
        "components": {
            "securitySchemes": full["components"]["securitySchemes"],
            "schemas": {name: schemas[name] for name in sorted(wanted)},
        },
    }


def _tags(operation: Any) -> list[str]:
    return operation.get("tags", []) if isinstance(operation, dict) else []


def write_subset(source: Path = FULL_SPEC_PATH, target: Path = SUBSET_PATH) -> Path:
    """Regenerate the vendored subset from the full description."""
    with open(source, encoding="utf-8") as handle:
        subset = extract_subset(json.load(handle))
    target.write_text(json.dumps(subset, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> None:
    """Command line: regenerate the vendored subset of Twilio's description."""
    parser = argparse.ArgumentParser(prog="python -m emulator.spec", description=__doc__)
    parser.add_argument("--write-subset", action="store_true", help="regenerate the subset")
    parser.add_argument("--source", type=Path, default=FULL_SPEC_PATH, help="full description")
    arguments = parser.parse_args(argv)
    if not arguments.write_subset:
        parser.print_help()
        return
    written = write_subset(arguments.source)
    print(f"wrote {written} ({written.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
