"""Accounting for every decision (the EU Digital Services Act's records):

* ``models``: the site's own rules as data (``SiteRule``, versioned), the statement of reasons
  stored with each restriction (``StatementOfReasons``, Art. 17), readers' notices of illegal
  content with their legality decision (``IllegalContentNotice``, Art. 16), and the one switch
  that publishes the transparency report's aggregates;
* ``site_rules``: which rule a label, a worker rule or a moderator's reason falls under;
* ``statements``: the pure builder and ``statement_record``, the one service every decision
  point calls; ``statements_for_author`` for what the author reads;
* ``tdb``: a statement in the Commission's Transparency Database shape, checked against the
  JSON Schema shipped in ``schema/``; the export command and admin API write it;
* ``transparency``: the monthly report (Art. 15/24) from the audit log, its charts and CSV;
* ``notices``: the Art. 16 notice, its legality decision and the reporter's notice.

See docs/DSA.md for the field-by-field account with sources.
"""
