"""The `journal` config section: the HMAC-chained audit journal of decision transitions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class JournalSettings(BaseModel):
    """Where the journal lives and where its signing key comes from (never the config itself)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(default=True, description="journal every decision transition")
    path: str = Field(
        default="launchguard-journal.sqlite", min_length=1, description="SQLite database file"
    )
    key_file: str | None = Field(
        default=None, description="file holding the HMAC key (wins over key_env when set)"
    )
    key_env: str = Field(
        default="LAUNCHGUARD_JOURNAL_KEY",
        min_length=1,
        description="environment variable holding the HMAC key",
    )
    previous_key_files: tuple[str, ...] = Field(
        default=(), description="retired keys, so records signed before a rotation still verify"
    )
    min_key_bytes: int = Field(default=16, ge=1, description="shorter keys are refused")
