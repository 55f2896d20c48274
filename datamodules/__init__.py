"""Reading interaction data, the leave-one-out split, tensorized datasets, the LightningDataModule."""
