"""What each metric counts, for axis labels and captions: the registry names the quantity
as the General Staff claims it ("claimed Russian personnel losses") and its unit, so a
figure never says only "count per day".

Examples
--------
>>> metric_label("personnel")
'claimed Russian personnel losses per day'
>>> metric_label("tank", unit="week")
'claimed Russian tanks destroyed per week'
>>> metric_label("my_series")
'my_series per day'
"""

from __future__ import annotations

__all__ = ["METRICS", "metric_label", "metric_name"]

#: metric (as read_losses / engagements_daily name it) → what it counts
METRICS: dict[str, str] = {
    "personnel": "claimed Russian personnel losses",
    "POW": "claimed Russian soldiers taken prisoner",
    "aircraft": "claimed Russian aircraft destroyed",
    "helicopter": "claimed Russian helicopters destroyed",
    "tank": "claimed Russian tanks destroyed",
    "APC": "claimed Russian armoured combat vehicles destroyed",
    "field artillery": "claimed Russian artillery systems destroyed",
    "MRL": "claimed Russian multiple rocket launchers destroyed",
    "drone": "claimed Russian drones destroyed",
    "naval ship": "claimed Russian ships destroyed",
    "anti-aircraft warfare": "claimed Russian air-defence systems destroyed",
    "special equipment": "claimed Russian special equipment destroyed",
    "mobile SRBM system": "claimed Russian ballistic-missile launchers destroyed",
    "vehicles and fuel tanks": "claimed Russian vehicles and fuel tanks destroyed",
    "cruise missiles": "claimed Russian cruise missiles shot down",
    "submarines": "claimed Russian submarines destroyed",
    "ground robotic systems": "claimed Russian ground robots destroyed",
    "engagements": "combat engagements (General Staff count)",
    "attacks_repelled": "attacks repelled (General Staff count, before May 2023)",
    "simulated": "simulated count",
}


def metric_name(metric: object) -> str:
    """What *metric* counts (its own name when the registry does not know it).

    Examples
    --------
    >>> from intensity.metrics import metric_name
    >>> metric_name("personnel"), metric_name("my_counts")
    ('claimed Russian personnel losses', 'my_counts')
    """
    key = "" if metric is None else str(metric)
    return METRICS.get(key, key or "count")


def metric_label(metric: object, unit: str = "day", *, deseasonalised: bool = False) -> str:
    """An axis label: what the metric counts, per period, and whether it is deseasonalised.

    Examples
    --------
    >>> from intensity.metrics import metric_label
    >>> metric_label("tank", "week")
    'claimed Russian tanks destroyed per week'
    """
    text = f"{metric_name(metric)} per {unit}"
    return f"{text} (deseasonalised)" if deseasonalised else text
