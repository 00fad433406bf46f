"""The course notes' MNIST CNN ("learning-keras-cnn-mnist"), Keras 2 code, 3 epochs on the full
training set, then the test set:

    CORNU_DATASETS=../shared/datasets cornu run examples/notes/mnist_cnn.py
"""
from keras.datasets import mnist
from keras.models import Sequential
from keras.layers import Conv2D, MaxPooling2D, Flatten, Dense
from keras.utils import to_categorical

# 1. data
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train.reshape(x_train.shape[0], 28, 28, 1).astype('float32') / 255
x_test = x_test.reshape(x_test.shape[0], 28, 28, 1).astype('float32') / 255

# 2. labels as one-hot vectors
y_train = to_categorical(y_train)
y_test = to_categorical(y_test)

# 3. model
model = Sequential()
model.add(Conv2D(128, (2,2), input_shape=(28,28,1), padding='valid'))
model.add(MaxPooling2D(pool_size=(2,2)))
model.add(Flatten())
model.add(Dense(10, activation='softmax'))

model.summary()

# 4. training
model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['acc'])
model.fit(x_train, y_train, epochs=3, batch_size=10, verbose=2)

loss, acc = model.evaluate(x_test, y_test, verbose=0)
print('test accuracy:', acc)
