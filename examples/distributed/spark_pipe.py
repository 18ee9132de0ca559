"""Spark: pipe each partition of a JSONL text file through cfaug.

    spark-submit --files cfaug,pipeline.yaml examples/distributed/spark_pipe.py \
        hdfs:///data/in.jsonl hdfs:///data/pairs

Every executor needs the cfaug binary (and lexicons) — shipped here with
--files, found in the task's working directory. RDD.pipe writes each
element as one line to the command's stdin and reads its stdout lines back;
partitions may be retried by Spark, which is safe because each output line
depends only on its input record.
"""
import sys
from pyspark import SparkContext

def main():
    src, dst = sys.argv[1], sys.argv[2]
    sc = SparkContext(appName="cfaug")
    lines = sc.textFile(src)
    pairs = lines.pipe("./cfaug run pipeline.yaml -i - -o - -q")
    pairs.saveAsTextFile(dst)

if __name__ == "__main__":
    main()
