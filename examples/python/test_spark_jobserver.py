"""A Spark Jobserver client's tests against jobfake, with requests: upload a binary, run jobs."""

import io
import zipfile

import requests

WORD_COUNT = "spark.jobserver.WordCountExample"


def jar_bytes():
    """A small jar (a zip archive): Spark Jobserver refuses a binary that is not one."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as jar:
        jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
    return buffer.getvalue()


def upload(spark_url, name="wordcount"):
    response = requests.post(
        f"{spark_url}/binaries/{name}",
        data=jar_bytes(),
        headers={"Content-Type": "application/java-archive"},
    )
    assert response.status_code == 200, response.text
    assert response.text == "OK"  # the default profile answers as the seed: text OK


def test_uploads_a_binary_and_lists_it(spark_url):
    upload(spark_url)
    binaries = requests.get(f"{spark_url}/binaries").json()
    assert binaries["wordcount"]["binary-type"] == "Jar"


def test_runs_a_job_synchronously_and_reads_its_result(spark_url):
    upload(spark_url)
    response = requests.post(
        f"{spark_url}/jobs",
        params={"appName": "wordcount", "classPath": WORD_COUNT, "sync": "true"},
        data="input.string = a b c a b see",
    )
    assert response.status_code == 200, response.text
    assert response.json()["result"] == {"a": 2, "b": 2, "c": 1, "see": 1}


def test_runs_a_job_asynchronously_and_advances_it_from_the_test(spark_url, jobfake_control):
    upload(spark_url)
    started = requests.post(
        f"{spark_url}/jobs",
        params={"appName": "wordcount", "classPath": WORD_COUNT},
        data="input.string = to be or not to be",
    )
    assert started.status_code == 202, started.text
    job_id = started.json()["jobId"]
    assert requests.get(f"{spark_url}/jobs/{job_id}").json()["status"] in ("STARTED", "RUNNING")

    # No waiting on the clock: the control API ends the job now.
    advanced = requests.post(f"{jobfake_control}/spark/jobs/{job_id}/advance", json={"to": "FINISHED"})
    assert advanced.status_code == 200, advanced.text

    report = requests.get(f"{spark_url}/jobs/{job_id}").json()
    assert report["status"] == "FINISHED"
    assert report["result"] == {"to": 2, "be": 2, "or": 1, "not": 1}
    assert requests.get(f"{spark_url}/jobs/{job_id}/config").json()["input"]["string"] == "to be or not to be"


def test_a_form_encoded_dict_is_refused_as_the_real_server_refuses_it(spark_url):
    # requests' data={...} form-encodes the body: 'input.string=a+b+a'. Spark Jobserver reads the
    # body as a config, not as a form, and Typesafe Config refuses the '+': send a string instead.
    upload(spark_url)
    response = requests.post(
        f"{spark_url}/jobs",
        params={"appName": "wordcount", "classPath": WORD_COUNT, "sync": "true"},
        data={"input.string": "a b a"},
    )
    assert response.status_code == 400
    # Typesafe Config's own words, as Spark Jobserver passes them on.
    assert response.json() == {
        "status": "ERROR",
        "result": "Cannot parse config: String: 1: Expecting end of input or a comma, got 'b' "
        "('+' not followed by =, 'b' not allowed after '+') (if you intended 'b' "
        "('+' not followed by =, 'b' not allowed after '+') to be part of a key or string value, "
        "try enclosing the key or value in double quotes, or you may be able to rename the file "
        ".properties rather than .conf)",
    }


def test_a_missing_binary_answers_as_the_real_server(spark_url):
    response = requests.post(
        f"{spark_url}/jobs",
        params={"appName": "nothing-here", "classPath": WORD_COUNT},
        data="input.string = a",
    )
    assert response.status_code == 404
    assert response.json() == {"status": "ERROR", "result": "appName nothing-here not found"}


def test_each_test_has_its_own_namespace(spark_url):
    # Another test uploaded 'wordcount'; not in this namespace.
    assert requests.get(f"{spark_url}/binaries").json() == {}
