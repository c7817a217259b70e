"""A small Metaflow flow: a fan-out over three numbers, a join, and a daily schedule.

It is what the emulator suite runs against an emulated deployment (docs/emulator.md), and a first flow
to try on a real one:

    METAFLOW_PROFILE=dev python foreach_flow.py run                  # locally, artifacts in the S3 datastore
    METAFLOW_PROFILE=dev python foreach_flow.py run --with batch     # every step on AWS Batch
    METAFLOW_PROFILE=dev python foreach_flow.py step-functions create --log-execution-history
"""

from metaflow import FlowSpec, schedule, step


@schedule(daily=True)
class ForeachFlow(FlowSpec):
    @step
    def start(self):
        self.numbers = [1, 2, 3]
        self.next(self.square, foreach="numbers")

    @step
    def square(self):
        self.value = self.input * self.input
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total = sum(i.value for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        print("sum of squares:", self.total)


if __name__ == "__main__":
    ForeachFlow()
