"""Celery tasks: thin adapters that take ids, fetch, and call a service.

Every task is idempotent and safe to retry (acks-late is on: a task may run
again after a worker crash). Queue them with transaction.on_commit so that a
rolled-back transaction queues nothing.
"""
