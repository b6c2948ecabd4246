"""Ethics review: the checklist (questions as data, approval rules) and the review record (store, export).

    from photolab.review import load_checklist, evaluate, build_record, RecordStore, build_export_zip
"""

from photolab.review.checklist import (
    Checklist,
    Evaluation,
    available_languages,
    evaluate,
    load_checklist,
    require_approvable,
)
from photolab.review.record import ReviewRecord, build_export_zip, build_record
from photolab.review.store import RecordStore

__all__ = [
    "Checklist",
    "Evaluation",
    "RecordStore",
    "ReviewRecord",
    "available_languages",
    "build_export_zip",
    "build_record",
    "evaluate",
    "load_checklist",
    "require_approvable",
]
