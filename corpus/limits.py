"""The bounds that keep one hostile file from costing an ingest more than its share of time
and memory: ``[reading]`` in config.toml. Every check that uses them fails that file alone,
with a reason naming the bound (README, "Hostile input")."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MB = 1024 * 1024


class ReadLimits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_file_mb: float = Field(
        default=50.0, gt=0, description="Larger files are refused before a byte is read."
    )
    max_text_chars: int = Field(
        default=20_000_000, ge=1,
        description="A file whose extracted text is longer is refused (chunking and "
        "embedding grow with it; 20 million characters is about 10,000 pages).",
    )  # fmt: skip
    max_unzipped_mb: float = Field(
        default=256.0, gt=0, description="DOCX: the most an archive may unpack to."
    )
    max_zip_ratio: int = Field(
        default=200, ge=1,
        description="DOCX: the most a member over 1 MB may expand (Word files compress 5-40x, "
        "zip bombs about 1000x).",
    )  # fmt: skip
    max_zip_entries: int = Field(default=10_000, ge=1, description="DOCX: most archive members.")
    max_pdf_pages: int = Field(
        default=10_000, ge=1, description="PDF: most pages (each is opened, even an empty one)."
    )
    max_front_matter_kb: float = Field(
        default=64.0, gt=0,
        description="Markdown: larger YAML front matter is ignored with a warning.",
    )  # fmt: skip

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * MB)

    @property
    def max_unzipped_bytes(self) -> int:
        return int(self.max_unzipped_mb * MB)

    @property
    def max_front_matter_bytes(self) -> int:
        return int(self.max_front_matter_kb * 1024)


DEFAULT_LIMITS = ReadLimits()
