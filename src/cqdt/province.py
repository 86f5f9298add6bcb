"""Province-wide figures ("kết quả chung"): computed from unit data or the province workbook."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from .errors import CqdtError, Issue
from .yamlio import load_model


class IndicatorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    pillar: str
    label: str
    source: Literal["province", "province_ratio", "sum", "count_yes", "ratio_of_sums"]
    fields: list[str] = Field(min_length=1)
    groups: list[str] = []  # the catalogue groups whose units count


class IndicatorFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    indicators: list[IndicatorSpec]


@dataclass(frozen=True)
class Indicator:
    id: str
    pillar: str
    label: str
    value: float  # the figure itself (a count, a sum, or a share in [0, 1])
    numerator: float | None = None
    denominator: float | None = None
    qualifier: str = ""  # «hơn» when the published figure is a lower bound

    def as_record(self) -> dict:
        return dict(id=self.id, pillar=self.pillar, label=self.label, value=self.value,
                    numerator=self.numerator, denominator=self.denominator, qualifier=self.qualifier)


def load_indicator_specs(path: Path) -> list[IndicatorSpec]:
    return load_model(path, IndicatorFile, "tệp chỉ số toàn tỉnh").indicators


def compute_indicator(spec: IndicatorSpec, figures: dict[str, pd.DataFrame],
                      province: dict[str, tuple[float, str]], source_file: Path | None) -> Indicator:
    base = dict(id=spec.id, pillar=spec.pillar, label=spec.label)
    if spec.source in ("province", "province_ratio"):
        missing = [f for f in spec.fields if f not in province]
        if missing:
            raise CqdtError(Issue(f"thiếu chỉ số toàn tỉnh «{', '.join(missing)}» (cần cho «{spec.label}»)",
                                  file=source_file, column="ma_chi_so"))
        if spec.source == "province":
            value, qualifier = province[spec.fields[0]]
            return Indicator(**base, value=value, qualifier=qualifier)
        (top, _), (bottom, _) = province[spec.fields[0]], province[spec.fields[1]]
        if top > bottom:  # a part above its whole (470 schools teaching of 47) is a typing error
            raise CqdtError(Issue(f"«{spec.fields[0]}» ({top:g}) lớn hơn «{spec.fields[1]}» ({bottom:g}), "
                                  f"cần cho «{spec.label}»", file=source_file, column="gia_tri", value=top))
        return Indicator(**base, value=top / bottom if bottom else 0.0, numerator=top, denominator=bottom)
    frames = [figures[g] for g in spec.groups]
    if spec.source == "sum":
        return Indicator(**base, value=float(sum(f[spec.fields[0]].sum() for f in frames)))
    if spec.source == "count_yes":
        count = sum(int(f[spec.fields].eq(1).all(axis=1).sum()) for f in frames)
        total = sum(len(f) for f in frames)
        return Indicator(**base, value=count / total, numerator=count, denominator=total)
    top = float(sum(f[spec.fields[0]].sum() for f in frames))
    bottom = float(sum(f[spec.fields[1]].sum() for f in frames))
    return Indicator(**base, value=top / bottom if bottom else 0.0, numerator=top, denominator=bottom)
