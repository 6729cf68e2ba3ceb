"""Only the lifecycle (portal/orders/transitions.py) sets an order's state and lifecycle columns, and the
columns of its tasks (协办 parts and parts passed down).

Read from the source with `ast`: attribute assignments (plain, augmented, tuple), setattr() with a literal
name, WorkOrder(...) constructed with a lifecycle column, and SQL UPDATE/INSERT statements on WorkOrder.
"""
from __future__ import annotations

import ast
from pathlib import Path

from portal.orders.transitions import LIFECYCLE_COLUMNS, TASK_COLUMNS

PORTAL = Path(__file__).resolve().parents[2] / "portal"
LIFECYCLE = PORTAL / "orders" / "transitions.py"
# The history of an order's facts (OrderFact rows) copies the columns after each event; it sets no order column.
HISTORY = PORTAL / "orders" / "history.py"
COLUMNS = {"state", *LIFECYCLE_COLUMNS}
# Other models have a unit_id (users, requests, records): only an object named like an order counts there.
SHARED = {"unit_id"}
# A task's columns count on an object named like a task (other models have a state, a deadline, a note).
TASK = set(TASK_COLUMNS)


def _names(target):
    if isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _names(element)
    else:
        yield target


def _orderish(node) -> bool:
    text = ast.unparse(node).lower()
    return "order" in text


def _taskish(node) -> bool:
    return "task" in ast.unparse(node).lower()


def _offences(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = [t for target in node.targets for t in _names(target)]
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr in COLUMNS:
                if target.attr not in SHARED or _orderish(target.value):
                    found.append(f"{path.name}:{node.lineno} assigns {ast.unparse(target)}")
                    continue
            if isinstance(target, ast.Attribute) and target.attr in TASK and _taskish(target.value):
                found.append(f"{path.name}:{node.lineno} assigns task column {ast.unparse(target)}")
        if isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            if func == "setattr" and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) \
                    and ((node.args[1].value in COLUMNS and _orderish(node.args[0]))
                         or (node.args[1].value in TASK and _taskish(node.args[0]))):
                found.append(f"{path.name}:{node.lineno} setattr {node.args[1].value}")
            if func.endswith("WorkOrder") and any(k.arg in COLUMNS for k in node.keywords):
                found.append(f"{path.name}:{node.lineno} builds WorkOrder with a lifecycle column")
            if func.endswith("OrderTask") and node.keywords:
                found.append(f"{path.name}:{node.lineno} builds an OrderTask")
            if func in ("update", "insert", "sa.update", "sa.insert") and node.args \
                    and ast.unparse(node.args[0]) in ("WorkOrder", "OrderTask"):
                found.append(f"{path.name}:{node.lineno} {func}(WorkOrder)")
    return found


def test_nothing_outside_the_lifecycle_sets_lifecycle_columns():
    offences = [o for path in sorted(PORTAL.rglob("*.py")) if path not in (LIFECYCLE, HISTORY)
                for o in _offences(path)]
    assert offences == []


def test_the_check_finds_what_it_looks_for(tmp_path):
    """The reader above is not blind: each kind of assignment it must catch is caught."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "order.state = 1\n"
        "order.unit_id, order.last_unit_id = 1, 2\n"
        "order.reopen_count += 1\n"
        "setattr(order, 'handle_deadline', x)\n"
        "WorkOrder(number='1', state=s)\n"
        "update(WorkOrder)\n"
        "user.unit_id = 3\n"  # a user's unit is not the order's
        "task.state = 2\n"
        "part_task.deadline, task.opinion = d, ''\n"
        "setattr(task, 'answered_at', x)\n"
        "OrderTask(order_id=1, state=s)\n"
        "update(OrderTask)\n"
        "request.note = 3\n",  # a request's note is not a task's
        encoding="utf-8",
    )
    assert len(_offences(sample)) == 13  # the tuples count twice, the user and the request not at all
