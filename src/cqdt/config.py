"""Year configuration: params/<year>.yaml, validated, with paths resolved in the project."""

from __future__ import annotations

import datetime as dt
import string
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from .errors import CqdtError, Issue
from .paths import PROJECT_ROOT, check_year, is_inside, resolve_inside
from .yamlio import load_model


def _inside_project(value: str) -> str:
    """A path in params is written from the project folder and stays inside it (params are user input)."""
    if value and not is_inside(PROJECT_ROOT / value, PROJECT_ROOT):
        raise ValueError("đường dẫn nằm ngoài thư mục dự án; hãy ghi đường dẫn tính từ thư mục dự án, "
                         "ví dụ data/2021/so-ban-nganh.xlsx")
    return value


ProjectPath = Annotated[str, AfterValidator(_inside_project)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Signature(Strict):
    on_behalf: str = "TM. ỦY BAN NHÂN DÂN"
    deputy: str = ""  # "KT. CHỦ TỊCH" when a vice-chairman signs
    title: str
    name: str = ""  # empty when the signer is not known


class Article(Strict):
    """Điều 2, 3, …: a lead and its items; {year} and {next_year} are filled in."""

    lead: str = Field(min_length=1)
    items: list[str] = []

    @field_validator("lead", "items")
    @classmethod
    def _known_placeholders(cls, value):
        return _checked(value, {"year", "next_year"})


class ResultsArticle(Strict):
    """Điều 1: the lead, then `item` once per group present, filled with the group's phrase."""

    lead: str = Field(min_length=1)
    item: str = "{number}. {text} (chi tiết tại Phụ lục {appendix}){end}"
    groups: dict[str, str]

    @field_validator("lead")
    @classmethod
    def _lead(cls, value):
        return _checked(value, {"year", "next_year"})

    @field_validator("item")
    @classmethod
    def _item(cls, value):
        return _checked(value, {"number", "text", "appendix", "end"})

    @field_validator("groups")
    @classmethod
    def _groups(cls, value):
        return {group: _checked(text, {"count", "year", "next_year"}) for group, text in value.items()}


def _checked(value, allowed: set[str]):
    """A wording template may name only the placeholders filled for it."""
    for text in value if isinstance(value, list) else [value]:
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as error:
            raise ValueError(f"mẫu câu không hợp lệ ({error}): «{text}»") from None
        unknown = sorted(names - allowed)
        if unknown:
            raise ValueError(f"mẫu câu dùng {{{'}, {'.join(unknown)}}} nhưng chỉ được dùng "
                             f"{{{'}, {'.join(sorted(allowed))}}}: «{text}»")
    return value


class Decision(Strict):
    number: str = Field(min_length=1)
    issuer: list[str] = Field(min_length=1)  # the heading's lines
    issuer_name: str = Field(min_length=1)  # «Ủy ban nhân dân tỉnh Gia Lai», as the appendices cite it
    place: str
    date: dt.date
    subject: str
    authority: str
    legal_bases: list[str] = Field(min_length=1)
    proposal: str
    recipients: list[str] = Field(min_length=1)
    results: ResultsArticle
    articles: list[Article] = []
    signature: Signature


class MapSpec(Strict):
    """The choropleth of the report: boundaries (GeoJSON, a `code` property per feature, matched to
    the registry's codes) of the units of one group."""

    group: str
    boundaries: ProjectPath
    attribution: str = ""  # the boundaries' source and licence, printed under the map
    # With points (CSV code, lat, lon): the boundaries are an outline and each unit is a point
    # coloured by its class; without: a choropleth of the boundaries' units.
    points: ProjectPath = ""


class RegistrySource(Strict):
    """params `registry`: what `python -m cqdt registry` builds the year's unit registry from.

    `merged` (from 1 July 2025): the province's xã/phường (vietnam-provinces), its agencies (a
    listed reconstruction) and the succession of the former units (vietnamadminunits).
    `legacy` (before 1 July 2025): the huyện and xã of one former province as vietnamadminunits
    lists them just before the reorganisation, and the agencies of an earlier registry."""

    kind: Literal["merged", "legacy"] = "merged"
    province_code: int  # NSO code of the province
    former_provinces: list[int] = []  # merged: NSO codes of the provinces before 1 July 2025
    ward_group: str  # the catalogue group of the xã/phường
    district_group: str = ""  # legacy: the catalogue group of the huyện
    agency_group: str  # the catalogue group of the provincial agencies
    agencies: ProjectPath = ""  # merged: the agency list (YAML)
    former_registry: ProjectPath = ""  # the registry naming the agencies (legacy) or their predecessors (merged)
    former_registry_place: str = ""  # where its units were («Tỉnh Gia Lai»), shown beside their names
    succession: ProjectPath = ""  # merged: where the succession table is written (CSV)
    # Former xã/phường code → NSO code of its new unit, where the two packages disagree and the
    # predecessors' codes do not settle it; each with its source in a comment of the params.
    settled: dict[str, str] = {}
    points: ProjectPath = ""  # where the units' coordinates are written (CSV code, lat, lon; vietnamadminunits)
    outline_from: list[str] = []  # boundary files whose union, dissolved, is the province's outline
    outline: ProjectPath = ""  # where that outline is written (GeoJSON)


class Comparison(Strict):
    """How the year compares with `previous_year`: unit by unit on the same code (`codes`), or, when
    the units were reorganised, each unit against its predecessors of the registry's succession
    table (`succession`): the mean of their shares of the maximum (weights `equal`; the only ones
    declared so far), in the year's points. An approximation, labelled as such in the report."""

    through: Literal["codes", "succession"] = "codes"
    weights: Literal["equal"] = "equal"


class Survey(Strict):
    """The survey round: the data window the forms ask about, the deadline and a contact."""

    window_start: dt.date
    window_end: dt.date
    deadline: dt.date
    contact: str


class Robustness(Strict):
    """Rank robustness: `runs` seeded draws (`seed`) of one weight per pillar, uniform in
    [1 − weight_spread, 1 + weight_spread], each run aggregating either the catalogue's pillar
    points or their shares of the pillar maxima (equal chance)."""

    runs: int = Field(default=1000, ge=10, le=100000)
    seed: int = 2021
    weight_spread: float = Field(default=0.2, gt=0, lt=1)


class YearParams(Strict):
    year: int = Field(ge=2000, le=2100)
    catalogue: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    indicators: ProjectPath = ""  # province-wide indicators (config/…); none when empty
    units: ProjectPath = "data/reference/units.csv"  # the year's unit registry
    registry: RegistrySource | None = None  # how `python -m cqdt registry` writes it
    map: MapSpec | None = None
    # The notebook of the ranking step: the generic one, or a narrative written for the year's shape.
    ranking_notebook: str = Field(default="consolidation", pattern=r"^[a-z][a-z0-9_]*$")
    data_status: Literal["official", "reconstructed"]
    data_note: str = ""
    reconstruction: ProjectPath = ""  # what `make data` assumes (config/tai-dung/…); neutral defaults when empty
    score_decimals: int = Field(default=2, ge=0, le=4)  # published precision of totals
    previous_year: int | None = None
    comparison: Comparison = Comparison()
    inputs: dict[str, ProjectPath] = Field(min_length=1)  # one workbook per group of the catalogue
    province_input: ProjectPath = ""  # the province-wide workbook, when indicators read from it
    decision: Decision
    survey: Survey
    robustness: Robustness = Robustness()

    @property
    def reconstructed(self) -> bool:
        return self.data_status == "reconstructed"

    def path(self, relative: str) -> Path:
        return resolve_inside(relative)

    def catalogue_path(self) -> Path:
        return resolve_inside(f"catalogues/{self.catalogue}.yaml")


def params_path(year: int, root: Path = PROJECT_ROOT) -> Path:
    return root / "params" / f"{year}.yaml"


def load_params(year: int | str, root: Path = PROJECT_ROOT) -> YearParams:
    number = check_year(str(year))
    path = params_path(number, root)
    if not path.is_file():
        raise CqdtError(Issue(f"chưa có tệp tham số cho năm {number}", file=path))
    params = load_model(path, YearParams, "tệp tham số")
    if params.year != number:
        raise CqdtError(Issue(f"tệp tham số khai báo năm {params.year}, không phải {number}",
                              file=path, column="year", value=params.year))
    return params
