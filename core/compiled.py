"""One-row lookups compiled once: for the queries every request of a kind runs with only one value
changing (the token of an API request, the article a comment is posted to)."""
from __future__ import annotations

import threading

from django.db import connections, router
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

_PLACEHOLDER = "\x00compiled-lookup\x00"  # stands for the value while compiling; never sent


class _Compiled:
    """``queryset.filter(<field>=value).get()``'s SQL for one connection, and how its rows become
    objects (Django's own converters and select_related populators)."""

    def __init__(self, queryset: QuerySet, field: str, connection):
        self.model, self.alias, self.connection = queryset.model, connection.alias, connection
        self.field = queryset.model._meta.get_field(field)
        query = queryset.using(connection.alias).filter(**{field: _PLACEHOLDER}).query
        self.compiler = query.get_compiler(connection=connection)
        self.sql, params = self.compiler.as_sql()
        if list(params) != [_PLACEHOLDER]:
            raise ValueError(f"a compiled lookup takes its one value and nothing else, not {params!r}")
        select, klass_info = self.compiler.select, self.compiler.klass_info
        own = klass_info["select_fields"]
        self.own = slice(own[0], own[-1] + 1)
        self.attnames = [col.target.attname for col, *_ in select[self.own]]
        self.populators = get_related_populators(klass_info, select, connection.alias)

    def get(self, value):
        value = self.field.get_db_prep_value(self.field.get_prep_value(value), self.connection, prepared=True)
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, [value])
            rows = cursor.fetchmany(2)
        if len(rows) > 1:
            raise self.model.MultipleObjectsReturned(f"more than one {self.model._meta.object_name} for {value!r}")
        for row in self.compiler.results_iter(results=[rows]):
            obj = self.model.from_db(self.alias, self.attnames, row[self.own])
            for populator in self.populators:
                populator.populate(row, obj)
            return obj
        raise self.model.DoesNotExist(f"{self.model._meta.object_name} matching query does not exist.")


class CompiledLookup:
    """``queryset.get(<field>=value)`` with the SQL built and compiled once per database
    connection instead of on every call: building and compiling the query was most of such a
    lookup's CPU (a token with its user and standing: three quarters). The same objects come
    back, with select_related's related objects, or the same DoesNotExist and
    MultipleObjectsReturned. ``queryset`` is a plain queryset (select_related and filters
    allowed; no slicing, ordering, annotations or values()), evaluated never itself."""

    def __init__(self, queryset: QuerySet, *, field: str):
        self.queryset, self.field = queryset, field
        self._local = threading.local()  # a connection belongs to its thread, and so does its compiled query

    def get(self, value):
        connection = connections[router.db_for_read(self.queryset.model)]
        compiled = getattr(self._local, "compiled", None)
        if compiled is None or compiled.connection is not connection:
            compiled = self._local.compiled = _Compiled(self.queryset, self.field, connection)
        return compiled.get(value)
