"""What pyHanko raises on a damaged or hostile PDF: one tuple for every reader of PDFs in signing (the validation,
the parse of every object, the reading of the number and date fields), so that each calls such a file unreadable
instead of crashing. A module of its own so that those readers share it without importing one another."""

from __future__ import annotations

from pyhanko.pdf_utils.misc import PdfError

# Besides PdfError (found by the intake fuzzing, decision 0024: an xref offset pointing at a stream that is not an
# xref stream is an AssertionError; deep nesting a RecursionError): each is "unreadable", never a crash.
HOSTILE_ERRORS: tuple[type[Exception], ...] = (ValueError, KeyError, IndexError, TypeError, AttributeError,
                                               AssertionError, RecursionError, NotImplementedError, OverflowError,
                                               EOFError)
UNREADABLE_ERRORS: tuple[type[Exception], ...] = (PdfError, *HOSTILE_ERRORS)
