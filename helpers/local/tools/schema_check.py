"""jsonschema for tool schemas, imported without its optional IRI format checker.

Why: when `rfc3987_syntax` is installed (JupyterLab's dependencies bring it),
`import jsonschema` builds its lark grammars at import time: measured 2.9 s of
every server start on 2 cores. That package only serves the "iri" formats, and
tool schemas are checked without format validation, so it stays out of this
process. If something imported it already, nothing changes.
"""

from __future__ import annotations

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # None in sys.modules: `import` raises ImportError

from jsonschema import Draft202012Validator, SchemaError  # noqa: E402 - after the line above

__all__ = ["Draft202012Validator", "SchemaError"]
