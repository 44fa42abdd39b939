"""Kernel density of events: a smooth surface of how many events happen near each place, per square km.

The quartic (biweight) kernel that crime-mapping tools use (Chainey S. & Ratcliffe J. (2005) "GIS and Crime
Mapping", ch. 6; sfhotspot's `hotspot_kde` via SpatialKDE): an event at distance d < h adds
3 / (pi h^2) x (1 - d^2 / h^2)^2 per square metre, nothing beyond h. Each event's kernel integrates to one, so
the surface sums (over an area covering every kernel) to the number of events. The bandwidth h is fixed at
BANDWIDTH_METRES (two 250 m cells): wide enough to bridge the anonymised map points police.uk snaps events to,
narrow enough to keep a street's cluster apart from the next. Density is a picture, not a test: Gi* says which
concentrations are more than chance.
"""
from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

BANDWIDTH_METRES = 500.0
SQUARE_METRES_PER_KM2 = 1_000_000


def quartic_density(event_x: np.ndarray, event_y: np.ndarray, at_x: np.ndarray, at_y: np.ndarray,
                    bandwidth: float = BANDWIDTH_METRES) -> np.ndarray:
    """Events per square km at each place (at_x, at_y), from events at (event_x, event_y), in metres."""
    events = np.column_stack([event_x, event_y]).astype(float)
    events = events[np.isfinite(events).all(axis=1)]
    places = np.column_stack([at_x, at_y]).astype(float)
    density = np.zeros(len(places))
    if len(events) == 0 or len(places) == 0:
        return density
    near = cKDTree(events).query_ball_point(places, r=bandwidth)  # keeps events at distance 0, unlike a sparse matrix
    place = np.repeat(np.arange(len(places)), [len(found) for found in near])
    event = np.fromiter((j for found in near for j in found), dtype=np.int64, count=len(place))
    squared = ((places[place] - events[event]) ** 2).sum(axis=1) / bandwidth ** 2
    weight = 3 / (np.pi * bandwidth ** 2) * np.clip(1 - squared, 0, None) ** 2
    np.add.at(density, place, weight)
    return density * SQUARE_METRES_PER_KM2
