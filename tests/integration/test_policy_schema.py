"""config/schema/tenant.schema.json and the tenant policy loader agree: every example tenant
file passes both, every file in data/bad_tenants/ is refused by both (or, where its header
says `# schema: accepts (...)`, by the loader alone: a check JSON Schema cannot express).

Each bad file starts with `# loader: <line>:<col>: <message start>`: what
`alertgate check-config` must print for it. Needs Debian's python3-yaml and
python3-jsonschema (>= 4, draft 2020-12)."""

import glob
import json
import os
import re
import subprocess
import unittest
import zoneinfo

import jsonschema
import yaml

from agtest import BIN, SOURCE_DIR, temp_dir

SCHEMA_PATH = os.path.join(SOURCE_DIR, "config/schema/tenant.schema.json")
GOOD_DIRS = ["config/tenants", "config/examples/tenants"]
BAD_DIR = os.path.join(SOURCE_DIR, "tests/integration/data/bad_tenants")

# --- the schema's custom formats: the matcher syntax of src/policy/matcher.cpp ---------

_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_SPACE = " \t\n\r"


def _skip(t, i):
    while i < len(t) and t[i] in _SPACE:
        i += 1
    return i


def _one(t, i, in_list):
    """Parses one matcher at t[i:]; returns the index after it or raises ValueError."""
    i = _skip(t, i)
    m = _NAME.match(t, i)
    if not m:
        raise ValueError("expected a label name")
    i = _skip(t, m.end())
    op = next((o for o in ("=~", "!~", "!=", "=") if t.startswith(o, i)), None)
    if op is None:
        raise ValueError("expected an operator")
    i = _skip(t, i + len(op))
    if i < len(t) and t[i] == '"':
        i += 1
        value = ""
        while i < len(t) and t[i] != '"':
            if t[i] == "\\":
                if i + 1 >= len(t) or t[i + 1] not in '"\\n':
                    raise ValueError("bad escape")
                value += "\n" if t[i + 1] == "n" else t[i + 1]
                i += 2
            else:
                value += t[i]
                i += 1
        if i >= len(t):
            raise ValueError("unterminated quoted value")
        i = _skip(t, i + 1)
        if i < len(t) and not (in_list and t[i] in ",}"):
            raise ValueError("text after the quoted value")
    else:
        start = i
        while i < len(t) and not (in_list and t[i] in ",}"):
            i += 1
        value = t[start:i].rstrip(_SPACE)
        if '"' in value:
            raise ValueError("unquoted value contains a quote")
    if op in ("=~", "!~"):
        re.compile("^(?:" + value + ")$")  # RE2 is stricter; plain syntax errors agree
    return i


def is_matcher(text):
    if not isinstance(text, str):
        return True
    try:
        return _one(text, 0, False) == len(text)
    except (ValueError, re.error):
        return False


def is_matcher_list(text):
    if not isinstance(text, str):
        return True
    try:
        i = _skip(text, 0)
        braces = i < len(text) and text[i] == "{"
        i += 1 if braces else 0
        while True:
            i = _skip(text, i)
            if i >= len(text) or text[i] == "}":
                break
            i = _skip(text, _one(text, i, True))
            if i < len(text) and text[i] == ",":
                i += 1
            else:
                break
        if braces:
            if i >= len(text) or text[i] != "}":
                return False
            i = _skip(text, i + 1)
        return i == len(text)
    except (ValueError, re.error):
        return False


def is_time_zone(name):
    if not isinstance(name, str):
        return True
    try:
        zoneinfo.ZoneInfo(name)
        return True
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False


def validator():
    with open(SCHEMA_PATH) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    formats = jsonschema.FormatChecker()
    formats.checks("alertgate-matcher")(is_matcher)
    formats.checks("alertgate-matchers")(is_matcher_list)
    formats.checks("alertgate-time-zone")(is_time_zone)
    return jsonschema.Draft202012Validator(schema, format_checker=formats)


def check_config(tenant_file):
    """Runs `alertgate check-config` on a main config whose tenants_dir holds only
    `tenant_file`; returns the CompletedProcess and the copied file's path."""
    d = temp_dir()
    tenants = os.path.join(d, "tenants")
    os.mkdir(tenants)
    copy = os.path.join(tenants, os.path.basename(tenant_file))
    with open(tenant_file, "rb") as src, open(copy, "wb") as dst:
        dst.write(src.read())
    config = os.path.join(d, "alertgate.yaml")
    with open(config, "w") as f:
        # With an SMTP server: the examples' email destinations then draw no warning.
        f.write("tenants_dir: tenants\ndata_dir: data\nsmtp:\n  url: smtp://127.0.0.1:25\n")
    r = subprocess.run([BIN, "check-config", "--config", config], capture_output=True,
                       text=True, timeout=30)
    return r, copy


def load_yaml(path):
    with open(path) as f:
        return yaml.safe_load(f)


class PolicySchema(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.validator = validator()

    def schema_errors(self, doc):
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in self.validator.iter_errors(doc)]

    def test_formats(self):
        self.assertTrue(is_matcher('service=~"db|cache"'))
        self.assertTrue(is_matcher("env != prod"))
        self.assertFalse(is_matcher('service~"db"'))
        self.assertFalse(is_matcher('a=~"(b"'))
        self.assertTrue(is_matcher_list('{a="b", c!="d"}'))
        self.assertTrue(is_matcher_list('a="b"'))
        self.assertFalse(is_matcher_list('{a="b" c="d"}'))
        self.assertTrue(is_time_zone("Europe/Berlin"))
        self.assertFalse(is_time_zone("Mars/Olympus"))

    def test_example_tenants_pass_schema_and_loader(self):
        files = []
        for d in GOOD_DIRS:
            for ext in ("yaml", "yml", "json"):
                files += glob.glob(os.path.join(SOURCE_DIR, d, "*." + ext))
        self.assertGreaterEqual(len(files), 3)
        self.assertIn("full.yaml", [os.path.basename(f) for f in files])
        for path in sorted(files):
            with self.subTest(file=path):
                self.assertEqual(self.schema_errors(load_yaml(path)), [])
                r, _ = check_config(path)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("ok, 1 tenant(s)", r.stdout)
                self.assertNotIn("warning", r.stderr)

    def test_json_form_of_the_full_example_passes_both(self):
        doc = load_yaml(os.path.join(SOURCE_DIR, "config/examples/tenants/full.yaml"))
        self.assertEqual(self.schema_errors(doc), [])
        path = os.path.join(temp_dir(), "full.json")
        with open(path, "w") as f:
            json.dump(doc, f, indent=2)
        r, _ = check_config(path)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_bad_tenants_are_refused_by_both(self):
        files = sorted(glob.glob(os.path.join(BAD_DIR, "*.yaml")))
        self.assertGreaterEqual(len(files), 15)
        for path in files:
            with self.subTest(file=os.path.basename(path)):
                with open(path) as f:
                    header = f.read().splitlines()
                loader = re.fullmatch(r"# loader: (\d+:\d+: .+)", header[0])
                schema = re.fullmatch(r"# schema: (rejects|accepts \(.+\))", header[1])
                self.assertTrue(loader and schema, "header lines missing")
                errors = self.schema_errors(load_yaml(path))
                if schema.group(1) == "rejects":
                    self.assertNotEqual(errors, [], "the schema accepts it")
                else:
                    self.assertEqual(errors, [], "marked as a loader-only check")
                r, copy = check_config(path)
                self.assertEqual(r.returncode, 1, r.stdout)
                self.assertIn(copy + ":" + loader.group(1), r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
