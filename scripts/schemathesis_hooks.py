"""Schemathesis hooks for scripts/schemathesis: rules of the API that JSON Schema cannot state.

Each rule is also written in the OpenAPI document, in words. Without these hooks schemathesis
would send requests the document admits and the server refuses, and report the server.
"""

import ast
import datetime
import functools
import threading

import schemathesis
from schemathesis import GenerationMode


# CPython 3.11 (this machine's is 3.11.7) keeps one AST depth counter for every thread
# (python/cpython#106905): two workers turning source into an AST at the same moment, as
# hypothesis does to describe a lambda, fail with "AST constructor recursion depth mismatch"
# and schemathesis reports that as an error of the API. One parse at a time avoids it.
_parse_lock = threading.Lock()
_parse = ast.parse


@functools.wraps(_parse)
def _parse_one_at_a_time(*args, **kwargs):
    with _parse_lock:
        return _parse(*args, **kwargs)


ast.parse = _parse_one_at_a_time


def _day(value):
    if not isinstance(value, str):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _whole_numbers_as_integers(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers_as_integers(v) for v in value]
    if isinstance(value, dict):
        return {k: _whole_numbers_as_integers(v) for k, v in value.items()}
    return value


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    # An integer is written as one (`2`, not `2.0`): JSON Schema counts `2.0` as an integer,
    # serde's integers do not (`invalid_body`). The same value spelled as an integer tests the
    # same rule, in every mode.
    if isinstance(case.body, (dict, list)):
        case.body = _whole_numbers_as_integers(case.body)
    positive = case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE
    # GET /events: one of `q` and its alias `keyword`, of `from` and `start`, of `to` and
    # `end`; `date` is not given with a range, and the range's end is not before its start.
    # OpenAPI describes each query parameter on its own and cannot relate two. Only valid
    # requests are adjusted: an invalid one must stay invalid.
    if positive and case.operation.path == "/api/v1/events" and isinstance(case.query, dict):
        query = case.query
        for name, alias in (("q", "keyword"), ("from", "start"), ("to", "end")):
            if name in query:
                query.pop(alias, None)
        if "date" in query:
            for name in ("from", "to", "start", "end"):
                query.pop(name, None)
        start = "from" if "from" in query else "start"
        end = "to" if "to" in query else "end"
        first, last = _day(query.get(start)), _day(query.get(end))
        if first and last and last < first:
            query[start], query[end] = query[end], query[start]
