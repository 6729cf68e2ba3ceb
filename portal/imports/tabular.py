"""Read CSV and XLSX uploads into numbered rows, and collect row errors.

What Excel in China saves: CSV in UTF-8, UTF-8 with BOM, or GBK/GB18030; or XLSX. Row numbers are
the ones the user sees in the spreadsheet: the header is row 1, the first data row is row 2.
Every import in the portal (units, orders, calls, KB entries) reads through here and is all-or-nothing.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import load_workbook

from portal.uploads import ZipBomb, check_zip
from portal.web.inputs import MAX_DATE, MIN_DATE, clean_text

MAX_BYTES = 20 * 1024 * 1024
# An import has a few columns and at most tens of thousands of rows; a sheet that claims more is refused
# before a cell is read (openpyxl pads every row to the declared width).
MAX_COLUMNS = 64
MAX_ROWS = 100_000


class ImportFailed(Exception):
    """The file cannot be read at all (wrong type, unreadable encoding, bad header)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Row:
    number: int  # spreadsheet row number (header = 1)
    values: dict[str, object]

    def text(self, column: str) -> str:
        """The cell as stripped text ('' when empty); Excel numbers lose a trailing .0."""
        value = self.values.get(column)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        return str(value).strip()


@dataclass
class Table:
    header: list[str]
    rows: list[Row]


@dataclass
class ImportErrors:
    """Row-numbered problems, reported all together."""

    items: list[tuple[int, str]] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)  # how to fix them; printed after them, not counted

    def add(self, row: int, message: str) -> None:
        self.items.append((row, message))

    def hint(self, message: str) -> None:
        self.hints.append(message)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def lines(self) -> list[str]:
        # Stable by row: the messages of one row (and the file-wide ones, row 0) keep the order they were found in.
        numbered = [f"第 {row} 行：{message}" if row else message for row, message in sorted(self.items, key=lambda i: i[0])]
        return numbered + self.hints


def rows_text(rows: list[int], shown: int = 10) -> str:
    """`第 3、7 行`, or the first `shown` rows and how many in all (an unknown value's rows, said once)."""
    listed = "、".join(str(r) for r in rows[:shown])
    return f"第 {listed} 行" if len(rows) <= shown else f"第 {listed} 行等，共 {len(rows)} 行"


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFailed("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV，或 XLSX 文件。")


def _read_csv(data: bytes) -> list[list[object]]:
    text = clean_text(_decode(data))
    try:
        rows = []
        for row in csv.reader(io.StringIO(text, newline="")):
            if len(row) > MAX_COLUMNS:
                raise ImportFailed(f"第 {len(rows) + 1} 行的列数过多（最多 {MAX_COLUMNS} 列）。")
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise ImportFailed(f"数据行过多（最多 {MAX_ROWS} 行）。")
        return rows
    except csv.Error as exc:
        raise ImportFailed(f"CSV 格式有误：{exc}") from exc


_UNREADABLE = "无法读取 XLSX 文件，请确认文件未损坏且为 Excel 2007 及以上格式。"


def _check_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(archive)
    except ZipBomb as exc:
        raise ImportFailed("XLSX 文件解压后过大，请删除无关内容后重试。") from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFailed(_UNREADABLE) from exc


def _read_xlsx(data: bytes) -> list[list[object]]:
    _check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFailed(_UNREADABLE) from exc
    try:
        if not workbook.worksheets:
            raise ImportFailed("XLSX 文件中没有工作表。")
        sheet = workbook.worksheets[0]
        if (sheet.max_column or 0) > MAX_COLUMNS or (sheet.max_row or 0) > MAX_ROWS + 1:
            raise ImportFailed(f"工作表的范围过大（最多 {MAX_COLUMNS} 列、{MAX_ROWS} 行），请只保留要导入的数据。")
        rows = []
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            rows.append([_cell(v) for v in row])
            if len(rows) > MAX_ROWS + 1:
                raise ImportFailed(f"数据行过多（最多 {MAX_ROWS} 行）。")
        return rows
    except ImportFailed:
        raise
    except Exception as exc:  # a broken sheet (bad shared-string index, bad cell type) fails while reading
        raise ImportFailed(_UNREADABLE) from exc
    finally:
        workbook.close()


def _cell(value: object) -> object:
    """A cell as the importers expect: text without control characters, numbers, dates, or None."""
    if isinstance(value, str):
        return clean_text(value)
    if value is None or isinstance(value, (int, float, datetime, date, time)):
        return value
    return clean_text(str(value))  # anything else openpyxl may return (a formula object, an error code)


def read_table(data: bytes, filename: str, required: list[str], optional: list[str] = ()) -> Table:
    """Parse a CSV or XLSX upload; check the header has every required column."""
    if not data:
        raise ImportFailed("文件为空。")
    if len(data) > MAX_BYTES:
        raise ImportFailed("文件过大（不超过 20 MB）。")
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".xlsx" or data[:2] == b"PK":
        raw = _read_xlsx(data)
    elif suffix in (".csv", ".txt", ""):
        raw = _read_csv(data)
    else:
        raise ImportFailed("只支持 CSV 或 XLSX 文件。")
    # Number rows before dropping blank ones, so a row number is the one the spreadsheet shows.
    numbered = [(n, r) for n, r in enumerate(raw, start=1) if any(c not in (None, "") and str(c).strip() for c in r)]
    if not numbered:
        raise ImportFailed("文件中没有数据。")
    header_cells = numbered[0][1]
    header = [str(c).strip() if c is not None else "" for c in header_cells]
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFailed(f"表头缺少列：{'、'.join(missing)}（表头应包含：{'，'.join([*required, *optional])}）。")
    known = set(required) | set(optional)
    unknown = [c for c in header if c and c not in known]
    if unknown:
        raise ImportFailed(f"表头有无法识别的列：{'、'.join(unknown)}。")
    rows = []
    for number, cells in numbered[1:]:
        values = {name: (cells[i] if i < len(cells) else None) for i, name in enumerate(header) if name}
        rows.append(Row(number=number, values=values))
    if not rows:
        raise ImportFailed("文件只有表头，没有数据行。")
    return Table(header=header, rows=rows)


_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


def parse_datetime(value: object) -> datetime:
    """A cell as a naive Asia/Shanghai datetime: 2018-09-28 14:00[:ss], 2018/9/28 14:00[:ss], or an Excel date."""
    moment = _parse_datetime(value)
    if not MIN_DATE <= moment.date() <= MAX_DATE:
        raise ValueError(f"时间“{moment:%Y-%m-%d}”超出允许范围")
    return moment


def _parse_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        return value.replace(microsecond=0)
    if isinstance(value, date):
        return datetime.combine(value, time())
    text = str(value or "").strip()
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValueError(f"时间“{text}”格式不正确，应为 2018-09-28 14:00 或 2018/9/28 14:00")


def parse_date(value: object) -> date:
    """A cell as a date: 2018-09-28, 2018/9/28, or an Excel date."""
    day = _parse_date(value)
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError(f"日期“{day:%Y-%m-%d}”超出允许范围")
    return day


def _parse_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"日期“{text}”格式不正确，应为 2018-09-28 或 2018/9/28")
