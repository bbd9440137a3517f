"""Every failure kind has one exception with a stable code (the record's ``error.code``) and exit code.

Per-letter errors (:class:`LetterError`) never stop a run: the letter gets a quarantined record
carrying ``code`` and ``message``. Run-level errors (:class:`RunError`) mean the run itself cannot
work (no tesseract, a bad database URL); only the CLI turns them into a process exit code.
Every code is documented in docs/errors.md (a test checks this).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    ok = 0
    bad_args = 2
    missing_dependency = 3
    store_unavailable = 4
    bad_config = 5
    not_found = 6
    io_error = 7
    interrupted = 130


class PetitionsError(Exception):
    code: str = "error"
    exit_code: ExitCode = ExitCode.bad_args
    default_message: str = "error"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


# ---- per-letter errors: the letter is quarantined, the run goes on -------------------------------


class LetterError(PetitionsError):
    """A problem with one input file."""


class EmptyFileError(LetterError):
    code = "empty_file"
    default_message = "Tệp rỗng (0 byte) / the file is empty: re-scan the letter."


class FileTooLargeError(LetterError):
    code = "file_too_large"
    default_message = "Tệp quá lớn / the file exceeds the configured size limit: split or re-scan it."


class UnreadableFileError(LetterError):
    code = "unreadable_file"
    default_message = "Không đọc được tệp / the file cannot be opened (permissions or a broken link)."


class UnsupportedFormatError(LetterError):
    code = "unsupported_format"
    default_message = (
        "Định dạng không hỗ trợ / unsupported format: scan to PDF, PNG, JPEG or TIFF."
    )


class CorruptPdfError(LetterError):
    code = "corrupt_pdf"
    default_message = "Tệp PDF hỏng / the PDF is damaged and cannot be read: re-scan or re-export it."


class EncryptedPdfError(LetterError):
    code = "encrypted_pdf"
    default_message = (
        "PDF có mật khẩu / the PDF is password-protected: ask the sender for an unprotected copy "
        "(or decrypt it, e.g. `qpdf --decrypt`)."
    )


class CorruptImageError(LetterError):
    code = "corrupt_image"
    default_message = "Ảnh hỏng / the image is damaged and cannot be decoded: re-scan the letter."


class ImageTooLargeError(LetterError):
    code = "image_too_large"
    default_message = (
        "Ảnh quá lớn / the image has more pixels than allowed (possible decompression bomb): "
        "re-scan at 300 dpi."
    )


class TooManyPagesError(LetterError):
    code = "too_many_pages"
    default_message = "Quá nhiều trang / more pages than a letter may have: split the file."


class OcrTimeoutError(LetterError):
    code = "ocr_timeout"
    default_message = "Nhận dạng quá thời gian / OCR of a page timed out: re-scan at 300 dpi or review by hand."


class OcrFailedError(LetterError):
    code = "ocr_failed"
    default_message = "Lỗi nhận dạng / tesseract failed on a page: review the scan by hand."


class NoTextError(LetterError):
    code = "no_text"
    default_message = (
        "Không có chữ / no readable text (blank page or photo): check that the right side was scanned."
    )


# ---- run-level errors: the CLI exits with the code --------------------------------------------


class RunError(PetitionsError):
    """The run itself cannot work."""


class MissingDependencyError(RunError):
    code = "missing_dependency"
    exit_code = ExitCode.missing_dependency
    default_message = (
        "tesseract with Vietnamese data is missing: run `make setup` "
        "(or `apt-get install tesseract-ocr tesseract-ocr-vie poppler-utils`)."
    )


class StoreUnavailableError(RunError):
    code = "store_unavailable"
    exit_code = ExitCode.store_unavailable
    default_message = "The store cannot be reached: check PETITIONS_DB_URL and that the database is running."


class BadConfigError(RunError):
    code = "bad_config"
    exit_code = ExitCode.bad_config
    default_message = "The configuration is invalid."


class NotFoundError(RunError):
    code = "not_found"
    exit_code = ExitCode.not_found
    default_message = "No such letter or agency."


def all_error_classes() -> list[type[PetitionsError]]:
    """Every concrete error class (used by the docs test)."""
    out: list[type[PetitionsError]] = []
    stack = [PetitionsError]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if sub not in (LetterError, RunError):
                out.append(sub)
    return out
