package har

// PostDataOf is postData, for the tests of package har_test.
var PostDataOf = postData
