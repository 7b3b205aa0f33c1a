"""Query shapes the ORM cannot say on its own."""
from __future__ import annotations

from django.db.models import Lookup


class InFirstEvaluated(Lookup):
    """``field`` is one of the rows of a (small, LIMITed) subquery, which runs first and once.

    ``filter(InFirstEvaluated(F("pk"), Subquery(page_ids)))``. On PostgreSQL this is
    ``id = ANY(ARRAY(subquery))``: an InitPlan, then an index scan on the outer table for just
    those ids. A plain ``id IN (subquery)`` is a semi join that PostgreSQL places above the outer
    query's LEFT JOINs, so it joined every row of the table before keeping 26 of them (seconds at
    a million comments; see docs/PERFORMANCE.md). Elsewhere it is ``IN (subquery)``.
    """

    lookup_name = "in_first_evaluated"

    def _sides(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return lhs, rhs, (*lhs_params, *rhs_params)

    def as_sql(self, compiler, connection):
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} IN {rhs}", params

    def as_postgresql(self, compiler, connection):
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", params
