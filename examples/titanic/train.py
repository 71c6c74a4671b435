"""Titanic survival classifier with every step's origin, transformation and reasoning recorded.

Run it with a reachable Atlas (``make demo`` starts one):

    python examples/titanic/train.py

Each preparation step is recorded as a transform with its reasoning, its run, its team and
the code that ran it; every intermediate DataFrame becomes a dataset version named by its
content fingerprint; the raw CSV's personal columns are classified ``PII``, and Atlas
propagates that classification down the lineage to the clean step, which drops those
columns: there it stops, so the cleaned data and the model are not PII (the step records
why). The metrics measured on the test split are an evaluation of the model version on that
exact data, and the model carries its compliance facts (intended purpose, risk category,
approver).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split

from atlas_ml.tracking import TrainingRun, training_run

DATA = Path(__file__).resolve().parents[1] / "data" / "titanic.csv"
PERSONAL_COLUMNS = ["Name", "Ticket", "Cabin"]
QUASI_IDENTIFIERS = ["Sex", "Age"]
SEED = 42


def prepare(run: TrainingRun, csv: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    raw = run.dataset(
        csv,
        role="raw",
        origin="Kaggle 'Titanic: Machine Learning from Disaster' train.csv via "
        "datasciencedojo/datasets (see examples/data/README.md)",
        licence="public-domain historical passenger list",
    )
    raw.classify(
        "PII", columns=PERSONAL_COLUMNS, basis="names, ticket and cabin numbers identify passengers"
    )
    # Sex and age are kept and trained on: quasi-identifiers of real people, so the model is
    # Sensitive although the direct identifiers (PII above) stop at the clean step.
    raw.classify(
        "Sensitive",
        columns=QUASI_IDENTIFIERS,
        basis="sex and age of named 1912 passengers: quasi-identifiers (GDPR Recital 26)",
    )
    passengers = pd.read_csv(csv)

    clean = passengers.drop(columns=["PassengerId", *PERSONAL_COLUMNS])
    clean["Age"] = clean["Age"].fillna(clean["Age"].median())
    clean["Embarked"] = clean["Embarked"].fillna(clean["Embarked"].mode()[0])
    run.step(
        "clean",
        inputs=[raw],
        outputs={"clean": clean},
        kind="CLEAN",
        reason="Drop the identifier and personal columns (not predictive, PII); fill the 177 "
        "missing ages with the median so young/old passengers keep their rows; fill the 2 "
        "missing ports with the most common one.",
        params={"age_fill": "median", "embarked_fill": "mode"},
    )

    encoded = pd.get_dummies(clean, columns=["Sex", "Embarked"], drop_first=True, dtype="int64")
    run.step(
        "encode",
        inputs=[clean],
        outputs={"encoded": encoded},
        kind="FEATURE",
        reason="One-hot encode sex and port of embarkation (drop_first avoids a redundant "
        "column) so the tree model sees categories, not an arbitrary order.",
    )

    train, test = train_test_split(
        encoded, test_size=0.2, random_state=SEED, stratify=encoded["Survived"]
    )
    run.step(
        "split",
        inputs=[encoded],
        outputs={"train": train, "test": test},
        kind="SPLIT",
        reason="Hold out 20% stratified by survival so the test set keeps the 38% survival "
        "rate; a fixed seed makes the split reproducible.",
        params={"test_size": 0.2, "random_state": SEED, "stratify": "Survived"},
    )
    return train, test


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the Titanic CSV")
    parser.add_argument("--no-deliver", action="store_true", help="only write the spool")
    args = parser.parse_args()

    with training_run(
        "titanic-survival",
        team="data-science",
        reason="Predict passenger survival for the provenance demo; a random forest is "
        "robust to the remaining unscaled numeric features.",
        deliver=not args.no_deliver,
        compliance={
            "purpose": "Demonstration of training-data provenance only; not for decisions "
            "about people.",
            "risk": "MINIMAL",
        },
    ) as run:
        train, test = prepare(run, args.data)
        run.use(train, role="train")
        features = [c for c in train.columns if c != "Survived"]
        model = RandomForestClassifier(n_estimators=200, max_depth=6, random_state=SEED)
        model.fit(train[features], train["Survived"])
        run.log_params(features=",".join(features))
        predictions = model.predict(test[features])
        # Measured on the test split: an evaluation of the model version on that exact data.
        run.log_metrics(
            accuracy=accuracy_score(test["Survived"], predictions),
            f1=f1_score(test["Survived"], predictions),
            dataset=test,
            role="test",
        )
        recorded = run.log_model(model, name="titanic-survival")

    print(f"training run {run.run_id}: {run.status}, accuracy {run.metrics['accuracy']:.3f}")
    print(f"model artifact {recorded.artifact.path} (sha256 {recorded.artifact.sha256[:16]}...)")
    if run.delivery is not None and not (run.delivery.remaining or run.delivery.rejected):
        print(f"delivered {run.delivery.delivered} event(s) to Atlas; the model's lineage:")
        from atlas_ml.cli.output import print_lineage
        from atlas_ml.client import AtlasClient
        from atlas_ml.lineage import read_lineage
        from atlas_ml.naming import model_version_name

        with AtlasClient() as client:
            name = model_version_name(
                recorded.name, recorded.artifact.sha256, client.config.namespace
            )
            print_lineage(read_lineage(client, name))


if __name__ == "__main__":
    main()
