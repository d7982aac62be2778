"""A generated negotiation (found by hypothesis) in which a majority bloc's post-settlement
change passes over a member's refusal: the story must report that member's own answer."""

from typing import Any

DATA: dict[str, Any] = {
    "id": "generated",
    "title": "Generated scenario",
    "deadline": 12,
    "protocol": "mediated",
    "issues": {
        "i0": {
            "options": {
                "o0_0": {"label": "option 0 of issue 0", "needs": []},
                "o0_1": {"label": "option 1 of issue 0", "needs": ["p0", "p1"]},
                "o0_2": {"label": "option 2 of issue 0", "needs": []},
            }
        },
        "i1": {"options": {"o1_0": {"label": "option 0 of issue 1", "needs": []}}},
        "i2": {
            "options": {
                "o2_0": {"label": "option 0 of issue 2", "needs": []},
                "o2_1": {"label": "option 1 of issue 2", "needs": []},
                "o2_2": {"label": "option 2 of issue 2", "needs": []},
            }
        },
        "i3": {
            "options": {
                "o3_0": {"label": "option 0 of issue 3", "needs": []},
                "o3_1": {"label": "option 1 of issue 3", "needs": []},
                "o3_2": {"label": "option 2 of issue 3", "needs": []},
                "o3_3": {"label": "option 3 of issue 3", "needs": []},
            }
        },
    },
    "parties": {
        "p0": {
            "signs": True,
            "reservation": 0.0,
            "weights": {"i0": 1.0, "i2": 1.0, "i3": 1.0},
            "values": {
                "i0": {"o0_0": 0.0, "o0_1": 0.0, "o0_2": 0.0},
                "i2": {"o2_0": 0.0, "o2_1": 0.0, "o2_2": 0.0},
                "i3": {"o3_0": 0.0, "o3_1": 0.0, "o3_2": 0.0, "o3_3": 1.0},
            },
            "red_lines": [
                {"id": "l0", "forbid": {"i0": ["o0_0"]}, "credibility": 0.0, "audience_cost": 0.0}
            ],
            "strategy": {
                "type": "single_text",
                "bias": 0.0,
                "logroll": 0.0,
                "attention": 0.0,
                "temperature": 0.0,
                "polish": 20,
                "probe": 0.0,
            },
            "cost_of_delay": 0.0,
            "resolve": 0.0,
            "ratification": [
                {
                    "id": "r0",
                    "label": "Ratifier 0 of p0",
                    "reservation": 0.0,
                    "informed": 0.0,
                    "weights": {"i0": 0.0, "i1": 0.0, "i2": 0.0, "i3": 1.0},
                    "values": {
                        "i0": {"o0_0": 0.0, "o0_1": 0.0, "o0_2": 0.0},
                        "i1": {"o1_0": 0.0},
                        "i2": {"o2_0": 0.0, "o2_1": 0.0, "o2_2": 0.0},
                        "i3": {"o3_0": 0.0, "o3_1": 0.0, "o3_2": 0.0, "o3_3": 0.0},
                    },
                    "red_lines": [
                        {"id": "q0", "forbid": {"i1": ["o1_0"]}, "credibility": 0.3},
                        {"id": "q1", "require": {"i0": ["o0_0"]}, "credibility": 0.3},
                    ],
                },
                {
                    "id": "r1",
                    "label": "Ratifier 1 of p0",
                    "reservation": 0.0,
                    "informed": 0.0,
                    "red_lines": [],
                },
            ],
        },
        "p1": {
            "signs": True,
            "reservation": 0.0,
            "weights": {"i0": 1.0},
            "values": {"i0": {"o0_0": 0.0, "o0_1": 0.0, "o0_2": 0.0}},
            "red_lines": [
                {"id": "l0", "forbid": {"i0": ["o0_0"]}, "credibility": 0.0, "audience_cost": 0.0}
            ],
            "strategy": {"type": "boulware", "exponent": 0.3},
            "cost_of_delay": 0.0,
            "resolve": 0.0,
            "ratification": [
                {
                    "id": "r0",
                    "label": "Ratifier 0 of p1",
                    "reservation": 0.0,
                    "informed": 0.0,
                    "red_lines": [
                        {"id": "q0", "forbid": {"i0": ["o0_0"], "i1": ["o1_0"]}, "credibility": 0.3}
                    ],
                }
            ],
        },
        "p2": {
            "signs": True,
            "reservation": 0.0,
            "weights": {"i2": 1.0},
            "values": {"i2": {"o2_0": 0.0, "o2_1": 0.0, "o2_2": 0.0}},
            "red_lines": [],
            "strategy": {"type": "boulware", "exponent": 0.3},
            "cost_of_delay": 0.0,
            "resolve": 0.0,
        },
        "p3": {
            "signs": False,
            "reservation": 0.1,
            "weights": {"i0": 1.0},
            "values": {"i0": {"o0_0": 0.0, "o0_1": 0.0, "o0_2": 0.0}},
            "red_lines": [],
            "strategy": {"type": "boulware", "exponent": 0.3},
            "cost_of_delay": 0.0,
            "resolve": 0.0,
        },
        "p4": {
            "signs": False,
            "reservation": 0.0,
            "weights": {"i0": 1.0},
            "values": {"i0": {"o0_0": 0.8, "o0_1": 0.9, "o0_2": 0.0}},
            "red_lines": [],
            "strategy": {"type": "boulware", "exponent": 0.3},
            "cost_of_delay": 0.0,
            "resolve": 0.0,
        },
        "p5": {
            "signs": True,
            "reservation": 0.0,
            "weights": {"i2": 1.0, "i3": 1.0},
            "values": {
                "i2": {"o2_0": 0.0, "o2_1": 0.0, "o2_2": 0.0},
                "i3": {"o3_0": 0.0, "o3_1": 0.0, "o3_2": 0.5, "o3_3": 0.8},
            },
            "red_lines": [],
            "strategy": {"type": "boulware", "exponent": 0.3},
            "cost_of_delay": 0.0,
            "resolve": 0.0,
        },
    },
    "mediator": "p0",
    "uncertainty": {
        "parameters": {"parties.p0.reservation": {"dist": "uniform", "low": 0.1, "high": 0.6}},
        "noise": {"weights": 0.0, "values": 0.0},
    },
    "events": [
        {
            "id": "e0",
            "round": 9,
            "probability": 0.3,
            "set": {"parties.p0.reservation": 0.2},
            "extend_deadline": 4,
        },
        {
            "id": "e1",
            "round": 6,
            "probability": 0.3,
            "set": {"parties.p0.reservation": 0.2},
            "extend_deadline": 1,
        },
    ],
    "blocs": {"bloc": {"label": "The bloc", "members": ["p1", "p2", "p3"], "rule": "majority"}},
}
