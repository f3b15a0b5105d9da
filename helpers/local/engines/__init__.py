"""The two local models behind the API, each behind public methods only:
`llama.ChatEngine` (a GGUF chat model in llama.cpp) and `encoder.Encoder`
(the Universal Sentence Encoder). Nothing of llama.cpp's protocol passes above
this package: the layers above see OpenAI-shaped dicts and `APIError`s."""
