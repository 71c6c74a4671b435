"""California housing regression whose provenance is captured automatically.

    python examples/housing/train.py

``training_run(..., autolog=True)`` records the CSV read with pandas (file manifest and
logical fingerprint), the training data handed to the scikit-learn Pipeline, every pipeline
step (imputer, scaler, encoder, regressor: class and parameters), the model artifact, and
the ``predict`` on the held-out split as an evaluation of the model version on that exact
data, with the metrics logged next — the code below calls nothing else of atlas-ml but
``log_metrics``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from atlas_ml.tracking import training_run

DATA = Path(__file__).resolve().parents[1] / "data" / "housing.csv"
TARGET = "median_house_value"


def build_pipeline(numeric: list[str], categorical: list[str]) -> Pipeline:
    features = ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
        ]
    )
    regressor = HistGradientBoostingRegressor(max_iter=200, learning_rate=0.1, random_state=7)
    return Pipeline([("features", features), ("regressor", regressor)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the housing CSV")
    parser.add_argument("--no-deliver", action="store_true", help="only write the spool")
    args = parser.parse_args()

    with training_run(
        "housing-prices",
        team="pricing",
        reason="Median house value per census block group from the 1990 California census.",
        autolog=True,
        deliver=not args.no_deliver,
        compliance={
            "purpose": "Teaching example on 1990 census data; not for valuing real property.",
            "risk": "MINIMAL",
        },
    ) as run:
        housing = pd.read_csv(args.data)
        housing["rooms_per_household"] = housing["total_rooms"] / housing["households"]
        train, test = train_test_split(housing, test_size=0.2, random_state=7)
        categorical = ["ocean_proximity"]
        numeric = [c for c in housing.columns if c not in (TARGET, *categorical)]
        model = build_pipeline(numeric, categorical)
        model.fit(train.drop(columns=[TARGET]), train[TARGET])
        predicted = model.predict(test.drop(columns=[TARGET]))
        run.log_metrics(
            r2=r2_score(test[TARGET], predicted),
            mae=mean_absolute_error(test[TARGET], predicted),
            rmse=float(np.sqrt(np.mean((test[TARGET] - predicted) ** 2))),
        )

    model_version = run.models[0]
    print(f"training run {run.run_id}: {run.status}, r2 {run.metrics['r2']:.3f}")
    print(f"model artifact {model_version.artifact.path}")
    steps = [k for k in model_version.steps if "__" not in k and not k.endswith(".columns")]
    print(f"pipeline steps recorded: {', '.join(steps)}")
    for evaluation in run.evaluations:
        results = ", ".join(f"{k} {v:.3f}" for k, v in sorted(evaluation.metrics.items()))
        print(f"evaluation on {evaluation.role} data ({evaluation.dataset.name}): {results}")
    if run.delivery is not None:
        print(f"delivered {run.delivery.delivered} event(s) to Atlas")


if __name__ == "__main__":
    main()
